public import Foundation
public import Modeling
public import Recipes
public import Tokenization

/// Loads a model that an evaluate stage lists, or that `lathe sample` generates from.
///
/// The ONE place the evaluate stage and `lathe sample` turn a `models:` entry into weights: today an
/// HF GPT-2 folder (a training stage's output or a project path) with its `tokenizer.json`. Adapter
/// stages (base + PEFT adapter) are resolved by swapping this body for the shared model resolver.
public enum EvaluatedModel {
    /// - Parameters:
    ///   - ref: a stage name or a project-root-relative model folder.
    ///   - outputs: the published output folder of every stage available (the evaluate stage's
    ///     upstream outputs, or the store entries `lathe sample` found).
    public static func load(_ ref: FromRef, recipe: Recipe, outputs: [String: URL], projectRoot: URL) throws -> (GPTModel, BPETokenizer) {
        let dir: URL
        switch ref {
        case .stage(let name):
            guard let out = outputs[name] else { throw StageError.missingUpstreamFile(stage: name, file: "its outputs") }
            dir = out
        case .path(let path): dir = projectRoot.appendingPathComponent(path)
        case .scratch: throw StageError.invalidInput("'scratch' is not a model to evaluate; list a training stage or an HF model folder.")
        }
        if FileManager.default.fileExists(atPath: dir.appendingPathComponent("adapter_config.json").path),
           !FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.safetensors").path) {
            throw StageError.invalidInput("\(dir.path) holds a PEFT adapter without its base model; this build of Lathe cannot evaluate adapters yet. List the merged model (merge_lora: true) or the base stage instead.")
        }
        let tokenizerFile = dir.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: tokenizerFile.path) else {
            throw StageError.invalidInput("\(dir.path) holds no tokenizer.json; evaluate models saved with their tokenizer (every Lathe training stage writes one).")
        }
        return (try GPTModel.loadHF(directory: dir), try BPETokenizer.load(contentsOf: tokenizerFile))
    }

    /// The model's label in metrics.json, the lock file and the report: the stage name or the path as written.
    public static func label(_ ref: FromRef) -> String {
        switch ref {
        case .stage(let name): name
        case .path(let path): path
        case .scratch: "scratch"
        }
    }
}
