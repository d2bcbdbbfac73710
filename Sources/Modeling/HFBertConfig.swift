public import Foundation
import JSONText

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
        let object = try HFConfigReader.object(data, source: source)
        let r = HFConfigReader(object: object, source: source)
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
        let fields: JSONObject = [
            "architectures": .array([.string(config.maskedLMHead ? "BertForMaskedLM" : "BertModel")]), "model_type": "bert",
            "vocab_size": .int(config.vocabSize), "hidden_size": .int(config.nEmbd), "intermediate_size": .int(config.intermediateSize),
            "num_hidden_layers": .int(config.nLayer), "num_attention_heads": .int(config.nHead),
            "max_position_embeddings": .int(config.nPositions), "type_vocab_size": .int(config.typeVocabSize), "hidden_act": "gelu",
            "layer_norm_eps": .double(HFConfigNumbers.decimal(config.layerNormEpsilon)),
            "initializer_range": .double(HFConfigNumbers.decimal(config.initializerRange)),
            "hidden_dropout_prob": .double(0), "attention_probs_dropout_prob": .double(0), "position_embedding_type": "absolute",
            "pad_token_id": .int(0), "tie_word_embeddings": .bool(config.tiedEmbeddings), "torch_dtype": "float32",
        ]
        return JSONValue.object(fields).rendered()
    }
}
