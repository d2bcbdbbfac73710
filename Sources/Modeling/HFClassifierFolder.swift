public import Foundation
import JSONText
import SafeTensors
import Files

/// Hugging Face `…ForSequenceClassification` folders of any decoder family, in and out.
///
/// A classifier's layout names are the HF names (`transformer.h.0.…` / `model.layers.0.…` and
/// `score.weight`), so writing is a copy per tensor; `config.json` is the family's config plus
/// `architectures` (`GPT2ForSequenceClassification`, `LlamaForSequenceClassification`, …), `id2label`,
/// `label2id`, `pad_token_id` and `problem_type`, what `save_pretrained` writes for the same model, so
/// `AutoModelForSequenceClassification.from_pretrained` loads it.
public enum HFClassifierFolder {
    /// `architectures` class name per `model_type`.
    public static let classNames: [String: String] = [
        "gpt2": "GPT2ForSequenceClassification", "llama": "LlamaForSequenceClassification",
        "qwen2": "Qwen2ForSequenceClassification", "mistral": "MistralForSequenceClassification",
        "bert": "BertForSequenceClassification",
    ]

    /// Whether `<directory>/config.json` describes a sequence classifier (has `id2label` and a
    /// `…ForSequenceClassification` architecture).
    public static func isClassifier(directory: URL) -> Bool {
        guard let bytes = try? RegularFile.read(directory.appendingPathComponent("config.json").path),
              let arch = (try? JSONValue.parse(bytes))?["architectures"]?.arrayValue?.first?.stringValue else { return false }
        return arch.hasSuffix("ForSequenceClassification")
    }

    /// The pad id written to `config.json`: transformers pools at the last token that is not
    /// `pad_token_id`, so it must be an id real text does not end in — the end-of-text token (else
    /// BOS, else the last id of the vocabulary).
    /// Encoders mask padding by attention and pool [CLS], so BERT keeps its `[PAD]` id 0.
    public static func padTokenId(_ config: GPTConfig) -> Int {
        if config.family == .bert { return 0 }
        return config.eosTokenId ?? config.bosTokenId ?? (config.vocabSize - 1)
    }

    /// Writes `model` (a classifier) with `labels` (class-id order) as an HF folder: `config.json` and
    /// `model.safetensors`.
    /// - Throws: `.invalidParameters` when the model has no head of `labels.count` classes; I/O errors.
    public static func export(_ model: GPTModel, labels: [String], to directory: URL) throws(HFCheckpointError) {
        guard model.config.numLabels == labels.count else {
            throw .invalidParameters(detail: "the model has \(model.config.numLabels.map(String.init) ?? "no") classes, \(labels.count) labels given")
        }
        try HFFolderWriter.writeWeights(model, to: directory) { p in hfName(p.name, config: model.config) }
        try HFFolderWriter.writeText(configText(model.config, labels: labels), to: directory.appendingPathComponent("config.json"))
    }

    /// The name a classifier's layout tensor has in its `…ForSequenceClassification` model (and so in PEFT
    /// keys): BertForSequenceClassification keeps the encoder under `bert.` beside its `classifier`; a
    /// decoder's layout names are its HF names. Names of models without a head are returned unchanged.
    public static func hfName(_ name: String, config: GPTConfig) -> String {
        config.family == .bert && config.numLabels != nil && !name.hasPrefix("classifier.") ? "bert." + name : name
    }

    /// The inverse of ``hfName(_:config:)``: the layout name of a `…ForSequenceClassification` tensor name.
    public static func layoutName(_ hfName: String, config: GPTConfig) -> String {
        config.family == .bert && config.numLabels != nil && hfName.hasPrefix("bert.") ? String(hfName.dropFirst(5)) : hfName
    }

    /// The labels a LoRA classify stage writes beside its PEFT adapter (`classifier.json`: the keyword
    /// arguments `AutoModelForSequenceClassification.from_pretrained(base, **kwargs)` needs on top of the
    /// base's own config — `num_labels`, `id2label`, `label2id`, `pad_token_id`, `problem_type`).
    public static let adapterLabelsFile = "classifier.json"

    /// Writes ``adapterLabelsFile`` for a classifier of `config` with `labels` (class-id order) into `directory`.
    public static func writeAdapterLabels(_ labels: [String], config: GPTConfig, to directory: URL) throws(HFCheckpointError) {
        var id2label = JSONObject(), label2id = JSONObject()
        for (id, label) in labels.enumerated() {
            id2label[String(id)] = .string(label)
            label2id[label] = .int(id)
        }
        let object: JSONObject = [
            "num_labels": .int(labels.count), "id2label": .object(id2label), "label2id": .object(label2id),
            "pad_token_id": .int(padTokenId(config)), "problem_type": "single_label_classification",
        ]
        try HFFolderWriter.writeText(JSONValue.object(object).rendered() + "\n", to: directory.appendingPathComponent(adapterLabelsFile))
    }

    /// The labels (class-id order) of a LoRA classify stage's adapter folder (its ``adapterLabelsFile``),
    /// or nil when the folder has none.
    /// - Throws: `.invalidConfig` naming the file when it is not JSON or its `id2label` is malformed.
    public static func adapterLabels(directory: URL) throws(HFCheckpointError) -> [String]? {
        let url = directory.appendingPathComponent(adapterLabelsFile)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let bytes = try? RegularFile.read(url.path), case .object(let object)? = try? JSONValue.parse(bytes) else {
            throw .invalidConfig(file: url.path, detail: "not a JSON object; it should hold the classifier's id2label")
        }
        return try labels(object, source: url.path)
    }

    /// The classifier's `config.json` text (keys sorted, two-space indent).
    static func configText(_ config: GPTConfig, labels: [String]) -> String {
        var lm = config
        lm.numLabels = nil
        let base = switch config.family {
        case .gpt2: HFGPT2Config(lm).jsonText()
        case .bert: HFBertConfig.jsonText(lm)
        case .llama: HFLlamaConfig.jsonText(lm)
        }
        // safe: every family's writer emits a JSON object
        guard case .object(var object) = try! JSONValue.parse(base) else { preconditionFailure("config writers emit objects") }
        object["architectures"] = [.string(classNames[config.modelType] ?? "LlamaForSequenceClassification")]
        var id2label = JSONObject(), label2id = JSONObject()
        for (id, label) in labels.enumerated() {
            id2label[String(id)] = .string(label)
            label2id[label] = .int(id)
        }
        object["id2label"] = .object(id2label)
        object["label2id"] = .object(label2id)
        object["pad_token_id"] = .int(padTokenId(config))
        object["problem_type"] = "single_label_classification"
        return JSONValue.object(object).rendered()
    }

    /// Loads a classifier folder: the model and its labels in class-id order.
    /// - Throws: `HFCheckpointError` naming the file: a config without `id2label` (or with ids that are
    ///   not 0..<n), an unsupported family, a missing, unknown or mis-shaped tensor.
    public static func load(directory: URL) throws(HFCheckpointError) -> (model: GPTModel, labels: [String]) {
        let configURL = directory.appendingPathComponent("config.json")
        guard let bytes = try? RegularFile.read(configURL.path), case .object(var object)? = try? JSONValue.parse(bytes) else {
            throw .missingFile(directory: directory.path, file: "config.json", hint: "A classifier folder needs a JSON config.json.")
        }
        let labels = try labels(object, source: configURL.path)
        for key in ["id2label", "label2id", "pad_token_id", "problem_type", "architectures", "num_labels"] { object[key] = nil }
        let lmData = Data(JSONValue.object(object).compact().utf8)
        var config: GPTConfig
        let bert = object["model_type"]?.stringValue == "bert"
        if object["model_type"]?.stringValue == "gpt2" {
            config = try HFGPT2Config.parse(lmData, source: configURL.path).gptConfig(source: configURL.path)
        } else if bert {
            config = try HFBertConfig.parse(lmData, source: configURL.path)
        } else {
            config = try HFLlamaConfig.parse(lmData, source: configURL.path)
        }
        config.numLabels = labels.count
        let model: GPTModel
        do throws(ModelingError) { model = try GPTModel(config: config) } catch {
            throw .invalidConfig(file: configURL.path, detail: error.description)
        }
        try HFWeightLoader.load(into: model, directory: directory) { t in
            let stored = t.info.name
            if stored.hasSuffix("rotary_emb.inv_freq") || HFCheckpoint.isCausalMaskBuffer(stored) || stored.hasSuffix("embeddings.position_ids") {
                return nil
            }
            // GPT-2 files may hold the trunk's names without the `transformer.` prefix; BERT's are under `bert.`
            if bert { return stored.hasPrefix("bert.") ? String(stored.dropFirst(5)) : stored }
            return model.layout.info(stored) != nil ? stored : "transformer." + stored
        }
        return (model, labels)
    }

    /// The label names of a classifier folder, in class-id order (its `id2label`).
    public static func labels(directory: URL) throws(HFCheckpointError) -> [String] {
        let configURL = directory.appendingPathComponent("config.json")
        guard let bytes = try? RegularFile.read(configURL.path), case .object(let object)? = try? JSONValue.parse(bytes) else {
            throw .missingFile(directory: directory.path, file: "config.json", hint: "A classifier folder needs a JSON config.json.")
        }
        return try labels(object, source: configURL.path)
    }

    static func labels(_ object: JSONObject, source: String) throws(HFCheckpointError) -> [String] {
        guard let id2label = object["id2label"]?.objectValue, id2label.count >= 2 else {
            throw .invalidConfig(file: source, detail: "a sequence classifier needs 'id2label' with at least two classes (class id → label name)")
        }
        var labels = [String?](repeating: nil, count: id2label.count)
        for (key, value) in id2label {
            guard let i = Int(key), i >= 0, i < labels.count, labels[i] == nil, let name = value.stringValue else {
                throw .invalidConfig(file: source, detail: "'id2label' must map the ids 0..<\(labels.count) to names; found '\(key)'")
            }
            labels[i] = name
        }
        return labels.map { $0! }
    }
}
