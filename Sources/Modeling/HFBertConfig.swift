public import Foundation

/// The `config.json` of a Hugging Face BERT encoder (`model_type: bert`; all-MiniLM-L6-v2), read into an
/// engine `GPTConfig` (family `.bert`) and written back from one. Fields that change the math to
/// something Lathe does not implement (another activation, relative positions) are refused with the reason.
public enum HFBertConfig {
    /// The dropout probabilities of a BERT `config.json`; an export writes each as 0.0 (and
    /// `classifier_dropout`, absent, falls back to `hidden_dropout_prob`).
    public static let dropoutKeys = ["hidden_dropout_prob", "attention_probs_dropout_prob"]

    /// Parses a BERT `config.json`; missing fields take `BertConfig`'s defaults.
    /// - Parameter source: the path quoted in error messages.
    public static func parse(_ data: Data, source: String) throws(HFCheckpointError) -> GPTConfig {
        let object: [String: ConfigValue]
        do {
            object = try JSONDecoder().decode([String: ConfigValue].self, from: data)
        } catch {
            throw .invalidConfig(file: source, detail: "not a JSON object (\(error))")
        }
        let r = ConfigReader(object: object, source: source)
        let modelType = try r.string("model_type", default: nil) ?? "missing"
        guard modelType == "bert" else {
            throw .unsupportedConfig(file: source, field: "model_type", value: "'\(modelType)'", fix: "This reader takes BERT folders (model_type bert).")
        }
        let activation = try r.string("hidden_act", default: "gelu") ?? "gelu"
        guard activation == "gelu" else {
            throw .unsupportedConfig(file: source, field: "hidden_act", value: "'\(activation)'",
                                     fix: "Lathe's BERT MLP uses the exact erf GELU ('gelu').")
        }
        let positions = try r.string("position_embedding_type", default: "absolute") ?? "absolute"
        guard positions == "absolute" else {
            throw .unsupportedConfig(file: source, field: "position_embedding_type", value: "'\(positions)'",
                                     fix: "Lathe's BERT uses absolute (learned) positions.")
        }
        if try r.bool("is_decoder", default: false) {
            throw .unsupportedConfig(file: source, field: "is_decoder", value: "true", fix: "Lathe runs BERT as a bidirectional encoder.")
        }
        let hidden = try r.positiveInt("hidden_size", default: 768)
        let heads = try r.positiveInt("num_attention_heads", default: 12)
        guard hidden % heads == 0 else {
            throw .invalidConfig(file: source, detail: "hidden_size \(hidden) is not a multiple of num_attention_heads \(heads)")
        }
        var config = GPTConfig(
            family: .bert, modelType: "bert",
            vocabSize: try r.positiveInt("vocab_size", default: 30_522),
            nPositions: try r.positiveInt("max_position_embeddings", default: 512),
            nEmbd: hidden, nLayer: try r.positiveInt("num_hidden_layers", default: 12), nHead: heads, nKVHead: heads, headDim: nil,
            intermediateSize: try r.positiveInt("intermediate_size", default: 3072),
            layerNormEpsilon: Float(try r.double("layer_norm_eps", default: 1e-12)),
            initializerRange: Float(try r.double("initializer_range", default: 0.02)),
            qkvBias: true, outputBias: true, mlpBias: true, tiedEmbeddings: try r.bool("tie_word_embeddings", default: true))
        config.typeVocabSize = try r.positiveInt("type_vocab_size", default: 2)
        // `architectures: ["BertForMaskedLM"]`: the folder carries the masked-LM head, not the pooler
        if case let .array(names)? = r.present("architectures") {
            config.maskedLMHead = names.contains { if case .string("BertForMaskedLM") = $0 { return true }; return false }
        }
        do throws(ModelingError) {
            try config.validate()
        } catch {
            throw .invalidConfig(file: source, detail: error.description)
        }
        return config
    }

    /// `config.json` text for `config`: `architectures` is `BertForMaskedLM` for a model with the masked-LM
    /// head, else `BertModel`; `transformers` loads it. The dropout probabilities (``dropoutKeys``) are 0.0:
    /// Lathe trains without dropout, so training the export in `transformers` continues as Lathe trained.
    public static func jsonText(_ config: GPTConfig) -> String {
        let fields: [String: Any] = [
            "architectures": [config.maskedLMHead ? "BertForMaskedLM" : "BertModel"], "model_type": "bert",
            "vocab_size": config.vocabSize, "hidden_size": config.nEmbd, "intermediate_size": config.intermediateSize,
            "num_hidden_layers": config.nLayer, "num_attention_heads": config.nHead,
            "max_position_embeddings": config.nPositions, "type_vocab_size": config.typeVocabSize, "hidden_act": "gelu",
            "layer_norm_eps": Double("\(config.layerNormEpsilon)") ?? Double(config.layerNormEpsilon),
            "initializer_range": Double("\(config.initializerRange)") ?? Double(config.initializerRange),
            "hidden_dropout_prob": 0.0, "attention_probs_dropout_prob": 0.0, "position_embedding_type": "absolute",
            "pad_token_id": 0, "tie_word_embeddings": config.tiedEmbeddings, "torch_dtype": "float32",
        ]
        // safe: every value above is a JSON-serialisable Foundation value
        let data = try! JSONSerialization.data(withJSONObject: fields, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
