import JSONText

/// What a Hugging Face `config.json` says a model folder is, read without loading it: the fields
/// `lathe validate` needs before anything runs (family, vocabulary, context length). Tolerant by design:
/// a field that is absent or of the wrong type is nil, and the full readers (`HFGPT2Config`,
/// `HFLlamaConfig`, `HFBertConfig`) report it, naming the file, when the stage loads the folder.
public struct HFConfigSummary: Sendable, Equatable {
    /// `model_type` ("gpt2", "llama", "bert", …), nil when absent.
    public var modelType: String?
    /// `vocab_size`, nil when absent or not an integer.
    public var vocabSize: Int?
    /// Positions the model attends over: GPT-2's `n_positions` (or its older `n_ctx`), else the Llama
    /// and BERT families' `max_position_embeddings`; nil when none is an integer.
    public var contextLength: Int?

    /// The `model_type`s whose decoders Lathe loads and trains: GPT-2 and `HFLlamaConfig.modelTypes`.
    public static let decoderModelTypes = ["gpt2", "llama", "qwen2", "mistral"]
    /// The `model_type`s Lathe loads as encoders (`HFBertConfig`): only `kind: classify` trains them.
    public static let encoderModelTypes = ["bert"]

    public init(modelType: String?, vocabSize: Int?, contextLength: Int?) {
        self.modelType = modelType
        self.vocabSize = vocabSize
        self.contextLength = contextLength
    }

    /// The summary of `config.json` text, or nil when it is not a JSON object.
    /// - Complexity: O(bytes).
    public init?(json bytes: [UInt8]) {
        guard case .object(let fields)? = try? JSONValue.parse(bytes) else { return nil }
        func integer(_ key: String) -> Int? {
            if case .int(let value)? = fields[key] { return value }
            return nil
        }
        modelType = fields["model_type"]?.stringValue
        vocabSize = integer("vocab_size")
        contextLength = integer("n_positions") ?? integer("n_ctx") ?? integer("max_position_embeddings")
    }
}
