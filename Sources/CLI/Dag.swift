import ArgumentParser
import Foundation
import Orchestration

extension Lathe {
    struct Dag: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the recipe's stage graph.",
            discussion: """
                Examples:
                  lathe dag pipelines/demo.yaml
                  lathe dag pipelines/demo.yaml --format dot | dot -Tsvg > dag.svg
                  lathe dag pipelines/demo.yaml --format mermaid
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, dot, mermaid }

        @OptionGroup var recipe: RecipeOptions
        @Option(help: "text, dot (Graphviz) or mermaid.")
        var format: Format = .text

        func run() throws {
            let ws = try Workspace.open(recipe)
            print(DagRenderer.render(ws.graph, format: format), terminator: "")
        }
    }
}

/// Text, Graphviz and Mermaid renderings of a pipeline graph (also used by the report).
enum DagRenderer {
    static func render(_ graph: PipelineGraph, format: Lathe.Dag.Format) -> String {
        var out = ""
        switch format {
        case .text:
            let width = graph.names.map(\.count).max() ?? 0
            for s in graph.stages {
                let name = s.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let from = s.upstream.isEmpty ? "" : " ← " + s.upstream.joined(separator: ", ")
                out += "\(name)  [\(s.kind)]\(from)\n"
            }
        case .dot:
            out += "digraph pipeline {\n  rankdir=TB;\n  node [shape=box, style=rounded];\n"
            for s in graph.stages { out += "  \(quote(s.name)) [label=\(quote("\(s.name)\n\(s.kind)"))];\n" }
            for s in graph.stages { for u in s.upstream { out += "  \(quote(u)) -> \(quote(s.name));\n" } }
            out += "}\n"
        case .mermaid:
            out += "flowchart TD\n"
            var ids: [String: String] = [:]
            for (i, s) in graph.stages.enumerated() {
                ids[s.name] = "s\(i)"
                out += "  s\(i)[\"\(s.name)<br/><small>\(s.kind)</small>\"]\n"
            }
            for s in graph.stages { for u in s.upstream { out += "  \(ids[u]!) --> \(ids[s.name]!)\n" } }
        }
        return out
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }
}
