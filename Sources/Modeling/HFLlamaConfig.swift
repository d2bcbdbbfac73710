public import Foundation
import Compute
import JSONText

/// The `config.json` of a Hugging Face Llama-family decoder (`model_type` `llama`, `qwen2`, `mistral`;
/// SmolLM2 and TinyLlama are `llama`), read into an engine `GPTConfig` and written back from one.
/// Fields that change the math to something Lathe does not implement are refused with the reason.
public enum HFLlamaConfig {
    /// The `model_type` values this reader accepts, with their `architectures` class names.
    public static let modelTypes: [String: String] = [
        "llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "mistral": "MistralForCausalLM",
    ]

    /// Parses a Llama-family `config.json`. Missing fields take the `transformers` class defaults.
    /// - Parameter source: the path quoted in error messages.
    public static func parse(_ data: Data, source: String) throws(HFCheckpointError) -> GPTConfig {
        let object = try HFConfigReader.object(data, source: source)
        let r = HFConfigReader(object: object, source: source)
        let modelType = try r.string("model_type", default: nil) ?? "missing"
        guard modelTypes[modelType] != nil else {
            throw .unsupportedConfig(file: source, field: "model_type", value: "'\(modelType)'",
                                     fix: "Lathe runs model_type gpt2, llama, qwen2 and mistral.")
        }
        let activation = try r.string("hidden_act", default: "silu") ?? "silu"
        guard activation == "silu" else {
            throw .unsupportedConfig(file: source, field: "hidden_act", value: "'\(activation)'",
                                     fix: "Lathe's Llama-family MLP is SwiGLU with silu.")
        }
        if let tp = try r.optionalPositiveInt("pretraining_tp"), tp != 1 {
            throw .unsupportedConfig(file: source, field: "pretraining_tp", value: "\(tp)", fix: "Set pretraining_tp to 1 (it only splits the same products).")
        }
        if modelType == "qwen2", try r.bool("use_sliding_window", default: false) {
            throw .unsupportedConfig(file: source, field: "use_sliding_window", value: "true",
                                     fix: "Lathe runs full causal attention; set use_sliding_window to false.")
        }
        let hidden = try r.positiveInt("hidden_size", default: 4096)
        let heads = try r.positiveInt("num_attention_heads", default: 32)
        for (name, value, limit) in [("hidden_size", hidden, GPTConfig.maxEmbedding), ("num_attention_heads", heads, GPTConfig.maxHeads)]
        where value > limit {
            throw .invalidConfig(file: source, detail: "\(name) \(value) exceeds Lathe's limit of \(limit) (a damaged or hostile config?)")
        }
        // rope: transformers ≥ 5 writes `rope_parameters` {rope_theta, rope_type, …}; older files
        // `rope_theta` and `rope_scaling`.
        var rope = JSONObject()
        if case let .object(o)? = r.present("rope_parameters") { rope = o }
        if case let .object(o)? = r.present("rope_scaling") {
            for (key, value) in o where rope[key] == nil { rope[key] = value }
        }
        let ropeReader = HFConfigReader(object: rope, source: source)
        let theta = try ropeReader.double("rope_theta", default: r.double("rope_theta", default: 10_000))
        let ropeType = try ropeReader.string("rope_type", default: ropeReader.string("type", default: "default")) ?? "default"
        let scaling: Rotary.Scaling
        switch ropeType {
        case "default": scaling = .none
        case "llama3":
            scaling = .llama3(factor: try ropeReader.double("factor", default: 8), lowFrequencyFactor: try ropeReader.double("low_freq_factor", default: 1),
                              highFrequencyFactor: try ropeReader.double("high_freq_factor", default: 4),
                              originalContext: try ropeReader.positiveInt("original_max_position_embeddings", default: 8192))
        default:
            throw .unsupportedConfig(file: source, field: "rope_scaling", value: "rope_type '\(ropeType)'",
                                     fix: "Lathe implements rope_type 'default' and 'llama3'.")
        }
        let attentionBias = try r.bool("attention_bias", default: false)
        let config = GPTConfig(
            family: .llama, modelType: modelType,
            vocabSize: try r.positiveInt("vocab_size", default: 32_000),
            nPositions: try r.positiveInt("max_position_embeddings", default: 2048),
            nEmbd: hidden, nLayer: try r.positiveInt("num_hidden_layers", default: 32), nHead: heads,
            nKVHead: try r.positiveInt("num_key_value_heads", default: heads),
            headDim: try r.optionalPositiveInt("head_dim"),
            intermediateSize: try r.positiveInt("intermediate_size", default: 11_008),
            layerNormEpsilon: Float(try r.double("rms_norm_eps", default: 1e-6)),
            initializerRange: Float(try r.double("initializer_range", default: 0.02)),
            bosTokenId: try tokenId(r, "bos_token_id"), eosTokenId: try tokenId(r, "eos_token_id"),
            ropeTheta: theta, ropeScaling: scaling,
            qkvBias: modelType == "qwen2" ? true : (modelType == "llama" && attentionBias),
            outputBias: modelType == "llama" && attentionBias,
            mlpBias: modelType == "llama" ? try r.bool("mlp_bias", default: false) : false,
            tiedEmbeddings: try r.bool("tie_word_embeddings", default: false))
        do throws(ModelingError) {
            try config.validate()
        } catch {
            throw .invalidConfig(file: source, detail: error.description)
        }
        return config
    }

    /// A token id field: an integer, or a list whose first entry is used (Llama 3 lists several EOS ids).
    static func tokenId(_ r: HFConfigReader, _ key: String) throws(HFCheckpointError) -> Int? {
        if case let .array(values)? = r.present(key) {
            guard case let .int(first)? = values.first, first >= 0 else { throw r.wrongType(key, "a token id or a list of token ids") }
            return first
        }
        return try r.optionalPositiveInt(key, allowZero: true)
    }

    /// The dropout probabilities of a Llama-family `config.json`; an export writes each as 0.0.
    public static let dropoutKeys = ["attention_dropout"]

    /// `config.json` text for `config` (keys sorted, two-space indent), what `save_pretrained` would write
    /// for the same model: `transformers` (4.x and 5.x) and PEFT load it. `attention_dropout`
    /// (``dropoutKeys``) is 0.0, as Lathe trains.
    public static func jsonText(_ config: GPTConfig) -> String {
        func optional(_ id: Int?) -> JSONValue { id.map(JSONValue.int) ?? .null }
        var fields: JSONObject = [
            "architectures": .array([.string(modelTypes[config.modelType] ?? "LlamaForCausalLM")]),
            "model_type": .string(config.modelType),
            "vocab_size": .int(config.vocabSize), "hidden_size": .int(config.nEmbd), "intermediate_size": .int(config.intermediateSize),
            "num_hidden_layers": .int(config.nLayer), "num_attention_heads": .int(config.nHead),
            "num_key_value_heads": .int(config.nKVHead), "head_dim": .int(config.headDim),
            "max_position_embeddings": .int(config.nPositions), "hidden_act": "silu",
            "rms_norm_eps": .double(HFConfigNumbers.decimal(config.layerNormEpsilon)),
            "initializer_range": .double(HFConfigNumbers.decimal(config.initializerRange)),
            "rope_theta": .double(config.ropeTheta), "tie_word_embeddings": .bool(config.tiedEmbeddings),
            "attention_dropout": .double(0), "use_cache": .bool(true), "torch_dtype": "float32",
            "bos_token_id": optional(config.bosTokenId), "eos_token_id": optional(config.eosTokenId),
        ]
        switch config.ropeScaling {
        case .none: fields["rope_scaling"] = .null
        case let .llama3(factor: factor, lowFrequencyFactor: low, highFrequencyFactor: high, originalContext: original):
            fields["rope_scaling"] = .object(["rope_type": "llama3", "factor": .double(factor), "low_freq_factor": .double(low),
                                              "high_freq_factor": .double(high), "original_max_position_embeddings": .int(original)])
        }
        switch config.modelType {
        case "llama":
            fields["attention_bias"] = .bool(config.qkvBias)
            fields["mlp_bias"] = .bool(config.mlpBias)
            fields["pretraining_tp"] = .int(1)
        case "qwen2":
            fields["use_sliding_window"] = .bool(false)
            fields["sliding_window"] = .null
            fields["max_window_layers"] = .int(config.nLayer)
        default: fields["sliding_window"] = .null
        }
        return JSONValue.object(fields).rendered()
    }
}
