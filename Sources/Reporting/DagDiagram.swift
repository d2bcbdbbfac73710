/// The recipe's stage graph as inline SVG: a layered layout, left to right by depth (a stage's
/// column is one more than its deepest upstream's), boxes coloured by kind, edges as arrows.
///
/// Within a column, stages are ordered by the mean row of their upstreams (the barycentre
/// heuristic of Sugiyama-style layouts), ties by topological order, which keeps chains straight
/// and fan-outs uncrossed for the small graphs recipes make.
struct DagDiagram {
    struct Node {
        var name: String
        var kind: String
        var upstream: [String]
        var hasResult: Bool
    }

    /// Nodes in topological order (every upstream precedes its dependents).
    var nodes: [Node]

    static let boxWidth = 156.0, boxHeight = 52.0, columnGap = 56.0, rowGap = 18.0, pad = 12.0, laneSpace = 26.0

    /// Column and row of every node. - Complexity: O(V + E) plus a sort per column.
    func layout() -> [String: (column: Int, row: Int)] {
        var column: [String: Int] = [:]
        for n in nodes { column[n.name] = (n.upstream.compactMap { column[$0] }.max() ?? -1) + 1 }
        var rows: [String: Int] = [:]
        let depth = (column.values.max() ?? -1) + 1
        for col in 0..<depth {
            let members = nodes.enumerated().filter { column[$0.element.name] == col }
            let ordered = members.sorted { a, b in
                let ka = barycentre(a.element, rows), kb = barycentre(b.element, rows)
                return ka != kb ? ka < kb : a.offset < b.offset
            }
            for (row, m) in ordered.enumerated() { rows[m.element.name] = row }
        }
        var result: [String: (column: Int, row: Int)] = [:]
        for n in nodes { result[n.name] = (column[n.name] ?? 0, rows[n.name] ?? 0) }
        return result
    }

    private func barycentre(_ node: Node, _ rows: [String: Int]) -> Double {
        let placed = node.upstream.compactMap { rows[$0] }
        guard !placed.isEmpty else { return -1 }
        return Double(placed.reduce(0, +)) / Double(placed.count)
    }

    func svg() -> String {
        let c = Markup.coordinate
        let places = layout()
        let columns = (places.values.map(\.column).max() ?? 0) + 1
        let rowsPerColumn = Dictionary(grouping: places.values, by: \.column).mapValues(\.count)
        let maxRows = rowsPerColumn.values.max() ?? 1
        let w = DagDiagram.self
        let width = 2 * w.pad + Double(columns) * w.boxWidth + Double(columns - 1) * w.columnGap
        let height = 2 * w.pad + Double(maxRows) * w.boxHeight + Double(maxRows - 1) * w.rowGap
        // Edges that skip a column run in a lane under the boxes they pass, never through them.
        let skips = nodes.contains { n in n.upstream.contains { u in (places[n.name]?.column ?? 0) - (places[u]?.column ?? 0) > 1 } }
        let svgHeight = height + (skips ? w.laneSpace : 0)
        // Columns with fewer stages are centred vertically.
        func origin(_ name: String) -> (x: Double, y: Double) {
            let p = places[name] ?? (0, 0)
            let count = Double(rowsPerColumn[p.column] ?? 1)
            let columnHeight = count * w.boxHeight + (count - 1) * w.rowGap
            let top = w.pad + (height - 2 * w.pad - columnHeight) / 2
            return (w.pad + Double(p.column) * (w.boxWidth + w.columnGap), top + Double(p.row) * (w.boxHeight + w.rowGap))
        }
        // The lowest box edge in each column, for lanes.
        var bottoms: [Int: Double] = [:]
        for n in nodes {
            let col = places[n.name]?.column ?? 0
            bottoms[col] = max(bottoms[col] ?? 0, origin(n.name).y + w.boxHeight)
        }
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"dag\" viewBox=\"0 0 \(c(width)) \(c(svgHeight))\" "
            + "width=\"\(c(width))\" height=\"\(c(svgHeight))\" role=\"img\" aria-label=\"stage graph\">"
        out += "<title>stage graph</title>"
        out += "<defs><marker id=\"dag-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
            + "orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#57606a\"/></marker></defs>"
        out += "<g class=\"edges\">"
        for n in nodes {
            let to = origin(n.name)
            for u in n.upstream where places[u] != nil {
                let from = origin(u)
                let x1 = from.x + w.boxWidth, y1 = from.y + w.boxHeight / 2
                let x2 = to.x - 2, y2 = to.y + w.boxHeight / 2
                let fromColumn = places[u]?.column ?? 0, toColumn = places[n.name]?.column ?? 0
                let d: String
                if toColumn - fromColumn > 1 {
                    let lane = ((fromColumn + 1)..<toColumn).map { bottoms[$0] ?? 0 }.max()! + w.laneSpace / 2
                    let g = w.columnGap, a = x1 + g, b = x2 - g
                    d = "M \(c(x1)) \(c(y1)) C \(c(x1 + g / 2)) \(c(y1)), \(c(x1 + g / 2)) \(c(lane)), \(c(a)) \(c(lane)) "
                        + "L \(c(b)) \(c(lane)) C \(c(x2 - g / 2)) \(c(lane)), \(c(x2 - g / 2)) \(c(y2)), \(c(x2)) \(c(y2))"
                } else {
                    let mid = (x1 + x2) / 2
                    d = "M \(c(x1)) \(c(y1)) C \(c(mid)) \(c(y1)), \(c(mid)) \(c(y2)), \(c(x2)) \(c(y2))"
                }
                out += "<path d=\"\(d)\" "
                    + "fill=\"none\" stroke=\"#57606a\" stroke-width=\"1.5\" marker-end=\"url(#dag-arrow)\">"
                    + "<title>\(Markup.text(u)) → \(Markup.text(n.name))</title></path>"
            }
        }
        out += "</g><g class=\"nodes\">"
        for n in nodes {
            let o = origin(n.name)
            let color = KindStyle.color(n.kind)
            let dash = n.hasResult ? "" : " stroke-dasharray=\"5 3\""
            out += "<g class=\"node\"><title>\(Markup.text(n.name)) (\(Markup.text(n.kind)))\(n.hasResult ? "" : ": not run yet")</title>"
            out += "<rect x=\"\(c(o.x))\" y=\"\(c(o.y))\" width=\"\(c(w.boxWidth))\" height=\"\(c(w.boxHeight))\" rx=\"7\" "
                + "fill=\"\(n.hasResult ? "#ffffff" : "#f6f8fa")\" stroke=\"\(color)\" stroke-width=\"2\"\(dash)/>"
            out += "<rect x=\"\(c(o.x))\" y=\"\(c(o.y))\" width=\"7\" height=\"\(c(w.boxHeight))\" rx=\"3\" fill=\"\(color)\"/>"
            out += "<text class=\"node-name\" x=\"\(c(o.x + 16))\" y=\"\(c(o.y + 22))\">\(Markup.text(Markup.truncate(n.name, 18)))</text>"
            out += "<text class=\"node-kind\" x=\"\(c(o.x + 16))\" y=\"\(c(o.y + 40))\" fill=\"\(color)\">"
                + "\(Markup.text(Markup.truncate(n.kind, 22)))</text></g>"
        }
        out += "</g></svg>"
        return out
    }
}

/// One colour per stage kind (Okabe–Ito palette: distinguishable with colour-vision deficiencies).
enum KindStyle {
    static let kinds = ["tokenize", "pretrain-continue", "domain-adapt", "instruct", "attach-adapters", "classify", "evaluate"]

    static func color(_ kind: String) -> String {
        switch kind {
        case "tokenize": "#6e7781"
        case "pretrain-continue": "#0072b2"
        case "domain-adapt": "#009e73"
        case "instruct": "#d55e00"
        case "attach-adapters": "#cc79a7"
        case "evaluate": "#b07d00"
        case "classify": "#e69f00"
        default: "#56b4e9"
        }
    }

    /// Series colours for models in comparisons, by position.
    static let palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#6e7781", "#000000"]
}
