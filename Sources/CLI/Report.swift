import ArgumentParser
import Foundation
import Orchestration
import Recipes
import Reporting
import Files

extension Lathe {
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a report of what each stage bought and cost.",
            discussion: """
                The report shows the stage graph, each training stage's loss curves (loss and val_loss \
                by step), the evaluate stages' metric comparison across models, and per stage: method, \
                trainable parameters (count and %), tokens, FLOPs, wall time and peak memory. It reads \
                the recipe, its lock file and the store, and writes nothing else. Stages that have not \
                run yet are shown as such; figures from an older run are marked outdated.

                html (default) is one self-contained page (inline SVG and CSS, no scripts, nothing \
                fetched from the network), written to reports/<recipe file name>.html in the project (pipelines/demo.yaml → reports/demo.html). md is \
                GitHub-flavoured Markdown for terminals and pull requests, printed to standard output. \
                -o FILE writes either format to FILE; -o - prints it.

                Examples:
                  lathe report pipelines/demo.yaml
                  lathe report pipelines/demo.yaml -o demo.html
                  lathe report pipelines/demo.yaml --format md
                  lathe report pipelines/demo.yaml --format md -o report.md
                """)

        enum Format: String, ExpressibleByArgument, CaseIterable { case html, md }

        @OptionGroup var recipe: RecipeOptions
        @Option(help: "html (a self-contained page) or md (Markdown).")
        var format: Format = .html
        @Option(name: .shortAndLong, help: ArgumentHelp(
            "Output file; - for standard output (default: reports/<recipe file name>.html for html, standard output for md).",
            valueName: "FILE"))
        var output: String?

        func run() throws {
            let ws = try Workspace.open(recipe)
            let lock = try ws.readLock()
            var notes: [String] = []
            let plan: [Planner.PlannedStage]?
            do { plan = try ws.plan(.all, lock: lock) } catch {
                // Still report what the lock file and the store hold; say why freshness is unknown.
                notes.append("Whether results are current was not checked: \(error)")
                plan = nil
            }
            var data = ReportCollector(store: ws.store).collect(recipe: ws.recipe.name, graph: ws.graph, lock: lock, plan: plan)
            data.notes = notes + data.notes
            let text = format == .html ? HTMLReport.render(data) : MarkdownReport.render(data)

            let destination = output ?? (format == .html ? "reports/\(Report.fileName(ws.recipeURL.deletingPathExtension().lastPathComponent)).html" : "-")
            if destination == "-" {
                writeStdout(text)
                return
            }
            // A default path is relative to the project; one given on the command line to the current folder.
            let url = output == nil
                ? ws.root.appendingPathComponent(destination)
                : URL(fileURLWithPath: destination, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue {
                printError("lathe: \(url.standardizedFileURL.path) is a folder; name a file for the report with -o (e.g. -o reports/run.html).")
                throw LatheExit.usage
            }
            do {
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try AtomicFile.write(Data(text.utf8), to: url.path)
            } catch {
                let why = (error as? FileError)?.reason ?? FileErrorText.describe(error)
                printError("lathe: cannot write the report to \(url.standardizedFileURL.path) (\(why)). Choose another file with -o.")
                throw LatheExit.stageFailed
            }
            let run = data.stages.filter(\.status.hasResult).count
            printError("Wrote \(url.standardizedFileURL.path) (\(run) of \(data.stages.count) stages with results).")
        }

        /// A recipe name made safe as a file name (names are free text in YAML).
        static func fileName(_ name: String) -> String {
            let safe = String(name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." ? $0 : "_" })
            return safe.isEmpty || safe.hasPrefix(".") ? "report" + safe : safe
        }
    }
}
