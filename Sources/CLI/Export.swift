import ArgumentParser
import Foundation
import Orchestration

extension Lathe {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy a stage's result (HF model, PEFT adapter, tokenizer…) out of the store.",
            discussion: """
                Copies the stage's current result — for a training stage an HF GPT-2 folder \
                (config.json, model.safetensors, tokenizer.json), for an adapter stage its PEFT folder — \
                into DIR, creating it. Training logs (logs/) stay behind unless --with-logs. A DIR that \
                already holds files is refused unless --force, which replaces the files of the same name \
                and leaves others alone.

                Exit status: 1 when the stage has not run with the recipe as it is now; 64 when DIR is \
                not empty (without --force).

                Examples:
                  lathe export pipelines/demo.yaml assistant exports/assistant
                  lathe export pipelines/demo.yaml base exports/base --with-logs --force
                """)

        @OptionGroup var recipe: RecipeOptions
        @Argument(help: "A stage of the recipe.") var stage: String
        @Argument(help: "Folder to copy into.") var directory: String
        @Flag(help: "Also copy logs/ (metrics.jsonl, summary.json).") var withLogs = false
        @Flag(help: "Write into a folder that already holds files, replacing same-named ones.") var force = false

        func run() throws {
            let ws = try Workspace.open(recipe, quiet: true)
            try ws.checkStageNames([stage])
            let source = try StageResults.current(ws).require(stage, recipe: recipe)
            let fm = FileManager.default
            let target = URL(fileURLWithPath: directory)
            var targetIsFolder: ObjCBool = false
            if fm.fileExists(atPath: target.path, isDirectory: &targetIsFolder), !targetIsFolder.boolValue {
                printError("lathe: \(directory) is a file, not a folder; name a folder to export into (it is created if new).")
                throw LatheExit.usage
            }
            let existing = (try? fm.contentsOfDirectory(atPath: target.path)) ?? []
            if !existing.isEmpty && !force {
                printError("lathe: \(directory) is not empty; choose an empty or new folder, or add --force to replace the files of the same name.")
                throw LatheExit.usage
            }
            var copied = 0
            var bytes: Int64 = 0
            do {
                try fm.createDirectory(at: target, withIntermediateDirectories: true)
                let items = try fm.contentsOfDirectory(atPath: source.path).sorted()
                for item in items where withLogs || item + "/" != ArtifactStore.logsFolder {
                    let destination = target.appendingPathComponent(item)
                    if fm.fileExists(atPath: destination.path) { try fm.removeItem(at: destination) }
                    try fm.copyItem(at: source.appendingPathComponent(item), to: destination)
                    var isDirectory: ObjCBool = false
                    _ = fm.fileExists(atPath: destination.path, isDirectory: &isDirectory)
                    let files = isDirectory.boolValue
                        ? try ContentHasher.listFiles(in: destination.path).map { destination.appendingPathComponent($0).path }
                        : [destination.path]
                    for file in files {
                        copied += 1
                        bytes += (try fm.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
                    }
                }
            } catch {
                printError("lathe: exporting '\(stage)' to \(directory) failed: \(FileErrorText.describe(error)). Check the folder's permissions and free space, or export to another folder.")
                throw LatheExit.stageFailed
            }
            print("Exported \(copied) file\(copied == 1 ? "" : "s") (\(String(format: "%.1f", Double(bytes) / 1_048_576)) MiB) of stage '\(stage)' to \(directory).")
        }
    }
}
