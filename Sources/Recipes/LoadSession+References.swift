extension LoadSession {
    /// Resolves stage names in `from:`, `tokenizer:` and `models:`, checks the named stage can serve that
    /// role, then reports every cycle as `a → b → a` (arrows follow the data: `b` reads `a`).
    mutating func checkReferences() {
        let names = drafts.map(\.name)
        var edges: [[(target: Int, location: SourceLocation)]] = Array(repeating: [], count: drafts.count)
        for (index, draft) in drafts.enumerated() {
            for reference in draft.references {
                guard let target = draftIndex[reference.target] else {
                    checker.sink.error(reference.location, Self.unknownMessage(reference, stage: draft.name)
                        + (Suggestions.closest(to: reference.target, in: names.filter { $0 != draft.name }).map { " Did you mean '\($0)'?" }
                            ?? Self.unknownHint(reference.role)))
                    continue
                }
                edges[index].append((target, reference.location))
                guard let kind = drafts[target].kind else { continue }
                if let problem = Self.roleProblem(reference, kind: kind, stage: draft.name) {
                    checker.sink.error(reference.location, problem)
                }
            }
        }
        reportCycles(edges)
    }

    private static func unknownMessage(_ reference: StageReference, stage: String) -> String {
        let target = reference.target
        return switch reference.role {
        case .model: "stage '\(stage)' reads from '\(target)', which is not a stage in this recipe."
        case .tokenizer, .tokenizerSource:
            "stage '\(stage)' takes its tokenizer from '\(target)', which is not a stage in this recipe."
        case .evaluatedModel: "stage '\(stage)' evaluates '\(target)', which is not a stage in this recipe."
        }
    }

    private static func unknownHint(_ role: ReferenceRole) -> String {
        switch role {
        case .model:
            " Name a stage, 'scratch', or an HF model directory (a path contains '/' or starts with '.')."
        case .tokenizer:
            " Name a tokenize stage or a directory holding tokenizer.json (a path contains '/' or starts with '.')."
        case .tokenizerSource:
            " Name a stage or a directory holding tokenizer.json (a path contains '/' or starts with '.')."
        case .evaluatedModel:
            " Name a training stage or an HF model directory (a path contains '/' or starts with '.')."
        }
    }

    private static func roleProblem(_ reference: StageReference, kind: StageKind, stage: String) -> String? {
        let target = "'\(reference.target)', \(kind.aStage)"
        switch reference.role {
        case .model where !kind.producesModel:
            return "stage '\(stage)' reads from \(target), which produces no model. Point 'from' at a training stage, "
                + "'scratch' or an HF model directory."
        case .evaluatedModel where !kind.producesModel:
            return "stage '\(stage)' evaluates \(target), which produces no model. List training stages or HF model "
                + "directories in 'models'."
        case .tokenizer where kind != .tokenize:
            return "stage '\(stage)' takes its tokenizer from \(target). Name a tokenize stage or a directory holding "
                + "tokenizer.json."
        case .tokenizerSource where kind == .evaluate:
            return "stage '\(stage)' takes its tokenizer from \(target), which holds no tokenizer. Name a stage that "
                + "writes tokenizer.json or such a directory."
        default:
            return nil
        }
    }

    /// Iterative DFS (no recursion: 10,000 chained stages must not overflow a test thread's stack).
    private mutating func reportCycles(_ edges: [[(target: Int, location: SourceLocation)]]) {
        var color = [UInt8](repeating: 0, count: drafts.count)  // 0 new, 1 on the path, 2 done
        for start in drafts.indices where color[start] == 0 {
            var path: [(node: Int, next: Int)] = [(start, 0)]
            color[start] = 1
            while let top = path.last {
                guard top.next < edges[top.node].count else {
                    color[top.node] = 2
                    path.removeLast()
                    continue
                }
                path[path.count - 1].next += 1
                let target = edges[top.node][top.next].target
                switch color[target] {
                case 0:
                    color[target] = 1
                    path.append((target, 0))
                case 1:
                    let onPath = path.map(\.node)
                    let readers = Array(onPath[onPath.firstIndex(of: target)!...])
                    reportCycle(readers, edges: edges)
                default:
                    break
                }
            }
        }
    }

    /// `readers[i]` reads `readers[i + 1]`, the last reads the first.
    private mutating func reportCycle(_ readers: [Int], edges: [[(target: Int, location: SourceLocation)]]) {
        var flow = Array(readers.reversed())
        let first = flow.indices.min { flow[$0] < flow[$1] }!
        flow = Array(flow[first...] + flow[..<first])
        let text = (flow + [flow[0]]).map { drafts[$0].name }.joined(separator: " → ")
        let predecessor = flow.last!
        let location = edges[flow[0]].first { $0.target == predecessor }?.location ?? drafts[flow[0]].location
        checker.sink.error(location, "the stages form a cycle: \(text). Each stage needs the one before it; point one of "
            + "them at an earlier stage, 'scratch' or a model directory.")
    }
}
