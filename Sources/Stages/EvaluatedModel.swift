public import Foundation
public import Modeling
public import Recipes
public import Tokenization

/// Loads a model that an evaluate stage lists, or that `lathe sample` generates from.
///
/// The one place the evaluate stage and `lathe sample` turn a `models:` entry into weights: an HF
/// GPT-2 folder (a training stage's output or a project path) with its `tokenizer.json`, or an adapter
/// stage's PEFT folder on top of its base (resolved by ``ModelResolver``).
public enum EvaluatedModel {
    /// - Parameters:
    ///   - ref: a stage name or a project-root-relative model folder.
    ///   - outputs: the published output folder of every stage available (the evaluate stage's
    ///     upstream outputs, or the store entries `lathe sample` found).
    public static func load(_ ref: FromRef, recipe: Recipe, outputs: [String: URL], projectRoot: URL) throws -> (GPTModel, BPETokenizer) {
        if case .scratch = ref {
            throw StageError.invalidInput("'scratch' is not a model to evaluate; list a training stage or an HF model folder.")
        }
        return try ModelResolver.load(ref, recipe: recipe, outputs: outputs, projectRoot: projectRoot)
    }

    /// The label probabilities (class-id order) the classifier `ref` names gives each of `texts`, tokenized
    /// as its classify stage tokenizes (byte-level BPE for decoders, WordPiece with [CLS]/[SEP] for
    /// encoders) and cut to its n_positions.
    /// - Throws: as `load`; `ModelingError.invalidData` when the model has no classification head.
    public static func classProbabilities(_ texts: [String], ref: FromRef, recipe: Recipe, outputs: [String: URL],
                                          projectRoot: URL) throws -> [[Double]] {
        if case .scratch = ref { throw StageError.invalidInput("'scratch' is not a classifier; name a classify stage or an HF …ForSequenceClassification folder.") }
        guard let classifier = try ModelResolver.classifier(ref, recipe: recipe, outputs: outputs, projectRoot: projectRoot) else {
            throw ModelingError.invalidData("'\(label(ref))' has no classification head (num_labels)")
        }
        let (model, tokenizer) = (classifier.model, classifier.tokenizer)
        let limit = model.config.nPositions
        let encoded = texts.map { tokenizer.encode($0, pair: nil, limit: limit) }
        return try model.classProbabilities(encoded.map { $0.ids }, tokenTypes: model.config.family == .bert ? encoded.map { $0.types } : nil)
    }

    /// The labels (class-id order) of a sequence classifier `ref` names (an HF `…ForSequenceClassification`
    /// folder's `id2label`, a LoRA classify stage's `classifier.json`), or nil when it is not one.
    public static func classLabels(_ ref: FromRef, outputs: [String: URL], projectRoot: URL) throws -> [String]? {
        let dir: URL
        switch ref {
        case .stage(let name): guard let out = outputs[name] else { return nil }; dir = out
        case .path(let path): dir = projectRoot.appendingPathComponent(path)
        case .scratch: return nil
        }
        return try ModelResolver.classLabels(of: dir)
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
