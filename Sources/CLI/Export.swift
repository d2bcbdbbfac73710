import ArgumentParser
import Compute
import Foundation
import GGUF
import Modeling
import Orchestration
import Recipes
import Stages

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

                With --format gguf the stage's model (an adapter stage's merged into its base) is written \
                as one llama.cpp file instead, OUT.gguf, with its tokenizer; --type picks f32 (default), \
                f16 or q8_0 weights.

                Exit status: 1 when the stage has not run with the recipe as it is now; 64 when DIR is \
                not empty (without --force).

                Examples:
                  lathe export pipelines/demo.yaml glassvine exports/glassvine
                  lathe export pipelines/methods/from-scratch-chain.yaml base exports/base --with-logs --force
                  lathe export pipelines/demo.yaml glassvine exports/glassvine.gguf --format gguf --type q8_0
                """)

        @OptionGroup var recipe: RecipeOptions
        @Argument(help: "A stage of the recipe.") var stage: String
        @Argument(help: "Folder to copy into.") var directory: String
        @Flag(help: "Also copy logs/ (metrics.jsonl, summary.json).") var withLogs = false
        @Flag(help: "Write into a folder that already holds files, replacing same-named ones.") var force = false
        @Option(help: "hf (the stage's folder, default) or gguf (one llama.cpp file).") var format = "hf"
        @Option(help: "GGUF weight type: f32, f16 or q8_0.") var type = "f32"

        func validate() throws {
            guard ["hf", "gguf"].contains(format) else { throw ValidationError("--format must be hf or gguf, got '\(format)'.") }
            guard GGUFWriter.TensorType(rawValue: type) != nil else { throw ValidationError("--type must be f32, f16 or q8_0, got '\(type)'.") }
            if format == "hf", type != "f32" { throw ValidationError("--type applies to --format gguf only.") }
        }

        func run() throws {
            let ws = try Workspace.open(recipe, quiet: true)
            try ws.checkStageNames([stage])
            let results = try StageResults.current(ws)
            let source = try results.require(stage, recipe: recipe)
            if format == "gguf" { return try exportGGUF(ws, results) }
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
                        chmod(file, 0o644)  // the store's files are read-only; the exported copy is the user's
                        copied += 1
                        bytes += (try fm.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0
                    }
                }
            } catch {
                printError("lathe: exporting '\(stage)' to \(directory) failed: \(FileErrorText.describe(error)). Check the folder's permissions and free space, or export to another folder.")
                throw LatheExit.stageFailed
            }
            var note = ""
            if PEFTAdapter.isAdapterDirectory(target) {
                do { note = try Self.makeLoadable(adapter: target, projectRoot: ws.root) } catch {
                    printError("lathe: exporting '\(stage)' to \(directory) failed: \(error)")
                    throw LatheExit.stageFailed
                }
            }
            print("Exported \(copied) file\(copied == 1 ? "" : "s") (\(String(format: "%.1f", Double(bytes) / 1_048_576)) MiB) of stage '\(stage)' to \(directory).\(note)")
        }

        /// Points an exported adapter at a base PEFT can open from any working folder: the exported
        /// `base/` (given the adapter's tokenizer files, so `AutoTokenizer` opens it too), else the
        /// project folder the adapter was trained on, as an absolute path (PEFT resolves a relative
        /// `base_model_name_or_path` against the caller's working folder). Returns a note for the user.
        static func makeLoadable(adapter folder: URL, projectRoot: URL) throws -> String {
            let fm = FileManager.default
            let embedded = folder.appendingPathComponent("base").standardizedFileURL
            let base: URL
            if fm.fileExists(atPath: embedded.appendingPathComponent("config.json").path) {
                for name in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja"] {
                    let src = folder.appendingPathComponent(name), dst = embedded.appendingPathComponent(name)
                    if fm.fileExists(atPath: src.path) && !fm.fileExists(atPath: dst.path) { try fm.copyItem(at: src, to: dst) }
                    chmod(dst.path, 0o644)
                }
                base = embedded
            } else if let name = try PEFTAdapter.header(directory: folder).baseModel, !name.hasPrefix("/"),
                      fm.fileExists(atPath: projectRoot.appendingPathComponent(name).appendingPathComponent("config.json").path) {
                base = projectRoot.appendingPathComponent(name).standardizedFileURL
            } else {
                return ""
            }
            try PEFTAdapter.setBaseModel(base.path, in: folder)
            if try PEFTAdapter.header(directory: folder).isSequenceClassification {
                return " Its adapter_config.json names the base as \(base.path): AutoModelForSequenceClassification.from_pretrained(base, **classifier.json), then PeftModel.from_pretrained(model, folder)."
            }
            return " Its adapter_config.json names the base as \(base.path) (AutoPeftModelForCausalLM.from_pretrained loads it from there)."
        }

        /// The stage's model as one GGUF file, written beside the target and renamed into place.
        private func exportGGUF(_ ws: Workspace, _ results: StageResults) throws {
            let kind = ws.recipe.stage(named: stage)!.kind
            guard kind.producesModel else {
                printError("lathe: stage '\(stage)' is \(kind.aStage) and holds no model; export a training or adapter stage.")
                throw LatheExit.usage
            }
            let fm = FileManager.default
            let target = URL(fileURLWithPath: directory)
            if fm.fileExists(atPath: target.path) && !force {
                printError("lathe: \(directory) exists; choose a new file name, or add --force to replace it.")
                throw LatheExit.usage
            }
            do {
                let (model, tokenizer) = try EvaluatedModel.load(.stage(stage), recipe: ws.recipe, outputs: results.outputs, projectRoot: ws.root)
                // The template the stage trained with (written beside its model), else the one it started from.
                let chatTemplate = try ChatTemplateResolver.jinja(in: results.outputs[stage] ?? URL(fileURLWithPath: "/nonexistent"))?.0
                let metadata = try GGUFTokenizerMetadata(tokenizer: tokenizer, chatTemplate: chatTemplate, source: "stage '\(stage)'")
                try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial")
                try GGUFModel.export(model, to: partial, type: GGUFWriter.TensorType(rawValue: type)!, tokenizer: metadata,
                                     metadata: [("general.name", .string("\(ws.recipe.name)/\(stage)"))])
                if fm.fileExists(atPath: target.path) { try fm.removeItem(at: target) }
                try fm.moveItem(at: partial, to: target)
            } catch {
                printError("lathe: exporting '\(stage)' as GGUF to \(directory) failed: \(FileErrorText.describe(error))")
                throw LatheExit.stageFailed
            }
            let size = ((try? fm.attributesOfItem(atPath: target.path)[.size]) as? NSNumber)?.doubleValue ?? 0
            print("Exported stage '\(stage)' as GGUF (\(type)) to \(directory) (\(String(format: "%.1f", size / 1_048_576)) MiB).")
        }
    }
}
