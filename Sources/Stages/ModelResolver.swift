public import Foundation
public import Modeling
import Orchestration
public import Recipes
public import Tokenization
import Files

/// Turns a model reference (`from:`, an evaluate stage's `models:` entry, `lathe sample STAGE`) into a
/// ready model: an HF GPT-2 folder loads as is; a LoRA adapter folder (PEFT or mlx-lm, recognised by its
/// `adapter_config.json`) loads its base and attaches the adapter, so callers never care which it was.
///
/// ```swift
/// let (model, tokenizer) = try ModelResolver.load(.stage("lora"), recipe: recipe,
///                                                 outputs: context.upstreamOutputs, projectRoot: context.projectRoot)
/// ```
/// A sequence-classification adapter (`task_type: SEQ_CLS`, a LoRA classify stage's output) first gives
/// its base a classification head of the labels in its `classifier.json`, then loads (the head's
/// weights come with the adapter). ``classifier(_:recipe:outputs:projectRoot:)`` loads any classifier —
/// encoders included — with its tokenizer and labels.
///
/// An adapter's base is found, in order: the `base/` folder an attach-adapters stage writes beside its
/// adapter when its base was another stage; for a stage reference, that stage's own `from:` resolved
/// through `outputs`; for a path, the adapter's `base_model_name_or_path`, relative to the project root.
public enum ModelResolver {
    /// The model and tokenizer `ref` names.
    /// - Parameters:
    ///   - outputs: output folders by stage name (the executor's `upstreamOutputs`, or the lock file's).
    ///   - projectRoot: what path references are relative to.
    /// - Throws: `StageError` when a folder is missing or an adapter's base cannot be found;
    ///   `ModelingError` / `HFCheckpointError` for malformed model or adapter files (messages name the file).
    public static func load(_ ref: FromRef, recipe: Recipe, outputs: [String: URL], projectRoot: URL) throws -> (GPTModel, BPETokenizer) {
        let r = try resolve(ref, recipe: recipe, outputs: outputs, projectRoot: projectRoot, depth: 0)
        return (r.model, try r.tokenizer())
    }

    /// The sequence classifier `ref` names, with its tokenizer (WordPiece for encoders, else byte-level BPE)
    /// and labels (class-id order): an HF `…ForSequenceClassification` folder, or a LoRA classify stage's
    /// adapter on its base. nil when `ref` is a model without a classification head.
    /// - Throws: as `load`.
    static func classifier(_ ref: FromRef, recipe: Recipe, outputs: [String: URL],
                                  projectRoot: URL) throws -> (model: GPTModel, tokenizer: ClassifierTokenizer, labels: [String])? {
        let r = try resolve(ref, recipe: recipe, outputs: outputs, projectRoot: projectRoot, depth: 0)
        guard r.model.config.numLabels != nil, let labels = try classLabels(of: r.directory) else { return nil }
        let tokenizer = try ClassifierTokenizer.wordPiece(in: r.tokenizerSource) ?? .bpe(try r.tokenizer())
        return (r.model, tokenizer, labels)
    }

    /// The labels (class-id order) of a classifier folder: a LoRA classify stage's `classifier.json`, else an
    /// HF `…ForSequenceClassification` config's `id2label`; nil when the folder holds neither.
    static func classLabels(of directory: URL) throws -> [String]? {
        if let labels = try HFClassifierFolder.adapterLabels(directory: directory) { return labels }
        guard HFClassifierFolder.isClassifier(directory: directory) else { return nil }
        return try HFClassifierFolder.labels(directory: directory)
    }

    /// A resolved reference, plus where its base weights live (for adapter stages that embed their base).
    struct Resolved {
        let model: GPTModel
        /// The folder `ref` named (an adapter folder for adapters).
        let directory: URL
        /// The folder (or `.gguf` file) whose tokenizer the model uses.
        let tokenizerSource: URL
        /// The tokenizer already read (a GGUF file's), else nil: read from `tokenizerSource` when asked.
        let loadedTokenizer: BPETokenizer?
        /// The HF folder holding the base weights (the model itself when it has no adapter).
        let baseDirectory: URL
        /// What to write as `base_model_name_or_path` for an adapter trained on this model's base.
        let baseName: String

        /// The model's byte-level BPE tokenizer.
        /// - Throws: `StageError.invalidInput` for an encoder's WordPiece tokenizer (encoders only classify)
        ///   or a folder without `tokenizer.json`.
        func tokenizer() throws -> BPETokenizer {
            if let loadedTokenizer { return loadedTokenizer }
            return try ModelResolver.tokenizer(in: tokenizerSource)
        }
    }

    static func resolve(_ ref: FromRef, recipe: Recipe, outputs: [String: URL], projectRoot: URL, depth: Int) throws -> Resolved {
        guard depth < 16 else { throw StageError.invalidInput("adapter bases refer to each other more than 16 times deep; is there a cycle?") }
        let dir: URL
        switch ref {
        case .scratch: throw StageError.invalidInput("`scratch` names no model to load.")
        case .stage(let name):
            guard let out = outputs[name] else { throw StageError.missingUpstreamFile(stage: name, file: "its outputs") }
            dir = out
        case .path(let path):
            guard !path.hasPrefix("/") else {
                throw StageError.invalidInput("model folder '\(path)' is absolute; Lathe reads models from folders inside the project only. Copy it into the project and name it relative to the project root.")
            }
            dir = projectRoot.appendingPathComponent(path)
            // Every file of the folder must resolve inside the project and be a regular file.
            _ = try InputFiles.list(dir.path, root: projectRoot.path)
        }
        if dir.pathExtension.lowercased() == "gguf" {
            // a llama.cpp file: weights dequantised to fp32, tokenizer from its metadata
            let (model, tokenizer) = try GGUFSource.load(dir)
            let name: String
            if case .path(let p) = ref { name = p } else { name = dir.path }
            return Resolved(model: model, directory: dir, tokenizerSource: dir, loadedTokenizer: tokenizer, baseDirectory: dir, baseName: name)
        }
        guard PEFTAdapter.isAdapterDirectory(dir) else {
            let model = try GPTModel.loadHF(directory: dir)
            let name: String
            if case .path(let p) = ref { name = p } else { name = ref.stageName ?? dir.path }
            return Resolved(model: model, directory: dir, tokenizerSource: dir, loadedTokenizer: nil, baseDirectory: dir, baseName: name)
        }
        // An adapter folder: find and load its base, then attach.
        let header = try PEFTAdapter.header(directory: dir)
        let base: Resolved
        let embedded = dir.appendingPathComponent("base")
        if FileManager.default.fileExists(atPath: embedded.appendingPathComponent("config.json").path) {
            let model = try GPTModel.loadHF(directory: embedded)
            let hasOwn = FileManager.default.fileExists(atPath: dir.appendingPathComponent("tokenizer.json").path)
            base = Resolved(model: model, directory: embedded, tokenizerSource: hasOwn ? dir : embedded, loadedTokenizer: nil,
                            baseDirectory: embedded, baseName: header.baseModel ?? "base")
        } else if case .stage(let name) = ref {
            guard let from = recipe.stage(named: name)?.params.training?.from else {
                throw StageError.invalidInput("stage '\(name)' holds an adapter, but the recipe gives no `from:` for its base model.")
            }
            base = try resolve(from, recipe: recipe, outputs: outputs, projectRoot: projectRoot, depth: depth + 1)
        } else {
            guard let name = header.baseModel, !name.isEmpty else {
                throw StageError.invalidInput("\(dir.appendingPathComponent(PEFTAdapter.configFile).path): no 'base_model_name_or_path', so the adapter's base model is unknown. Add it (a folder relative to the project root).")
            }
            guard !name.hasPrefix("/") else {
                throw StageError.invalidInput("\(dir.appendingPathComponent(PEFTAdapter.configFile).path): base_model_name_or_path '\(name)' is absolute; Lathe loads bases only from folders inside the project. Copy the base into the project and name it relative to the project root.")
            }
            let baseDir = projectRoot.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: baseDir.path) else {
                throw StageError.invalidInput("\(dir.appendingPathComponent(PEFTAdapter.configFile).path): base_model_name_or_path '\(name)' is not a folder under the project root (\(baseDir.path)); Lathe loads bases from local folders only.")
            }
            base = try resolve(.path(name), recipe: recipe, outputs: outputs, projectRoot: projectRoot, depth: depth + 1)
        }
        // An attach-adapters stage that starts from another adapter stage continues that adapter on the
        // same plain base, so a base that resolved to base + adapter drops the adapter.
        var model = base.model
        if model.adapters != nil { model.detachAdapters() }
        if header.isSequenceClassification {
            // the head's weights come with the adapter (modules_to_save); its size from the labels beside it
            guard let labels = try HFClassifierFolder.adapterLabels(directory: dir) else {
                throw StageError.invalidInput("\(dir.appendingPathComponent(HFClassifierFolder.adapterLabelsFile).path) does not exist: a sequence-classification adapter (task_type SEQ_CLS) needs its labels there, as {\"id2label\": {\"0\": \"neg\", \"1\": \"pos\"}}.")
            }
            model = try model.withClassificationHead(numLabels: labels.count, seed: 0)
        }
        try PEFTAdapter.load(directory: dir, into: model)
        let own = FileManager.default.fileExists(atPath: dir.appendingPathComponent("tokenizer.json").path)
        return Resolved(model: model, directory: dir, tokenizerSource: own ? dir : base.tokenizerSource,
                        loadedTokenizer: own ? nil : base.loadedTokenizer, baseDirectory: base.baseDirectory, baseName: base.baseName)
    }

    static func tokenizer(in dir: URL, fallback: URL? = nil) throws -> BPETokenizer {
        if dir.pathExtension.lowercased() == "gguf" { return try GGUFSource.tokenizer(dir) }
        for d in [dir] + (fallback.map { [$0] } ?? []) {
            let file = d.appendingPathComponent("tokenizer.json")
            if let data = try? Data(RegularFile.read(file.path)), WordPieceTokenizer.isWordPiece(data) {
                throw StageError.invalidInput("\(d.path) is a BERT encoder (WordPiece tokenizer, model_type bert): it has no causal language-model head, so it cannot generate text, answer instructions or be scored as a causal language model. Encoders train in `kind: classify` and, with the masked-LM objective, in pretrain-continue / domain-adapt; evaluate scores them on `type: classification` data (classifiers) or by masked-LM perplexity on `type: completion` text (BertForMaskedLM).")
            }
            if FileManager.default.fileExists(atPath: file.path) { return try BPETokenizer.load(contentsOf: file) }
        }
        throw StageError.invalidInput("\(dir.path) holds no tokenizer.json: Lathe needs the model's tokenizer beside its weights.")
    }
}
