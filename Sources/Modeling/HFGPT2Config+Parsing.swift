public import Foundation
import JSONText
import Files

extension HFGPT2Config {
    /// Parses a GPT-2 `config.json`. Missing fields take `GPT2Config`'s defaults, as `transformers` does;
    /// fields that change the math to something Lathe does not implement are rejected with the reason.
    /// - Parameter source: the path quoted in error messages.
    public static func parse(_ data: Data, source: String) throws(HFCheckpointError) -> HFGPT2Config {
        let object = try HFConfigReader.object(data, source: source)
        let reader = HFConfigReader(object: object, source: source)
        let modelType = try reader.string("model_type", default: nil)
        guard modelType == "gpt2" else {
            throw .unsupportedConfig(file: source, field: "model_type", value: "'\(modelType ?? "missing")'",
                                     fix: "Lathe runs decoders with model_type gpt2, llama, qwen2 and mistral.")
        }
        let activation = try reader.string("activation_function", default: "gelu_new") ?? "gelu_new"
        // gelu_pytorch_tanh is the same tanh approximation as gelu_new, computed by a fused kernel.
        guard activation == "gelu_new" || activation == "gelu_pytorch_tanh" else {
            throw .unsupportedConfig(file: source, field: "activation_function", value: "'\(activation)'",
                                     fix: "Lathe implements the tanh approximation only ('gelu_new').")
        }
        guard try reader.bool("scale_attn_weights", default: true) else {
            throw .unsupportedConfig(file: source, field: "scale_attn_weights", value: "false",
                                     fix: "Lathe always scales attention by 1/sqrt(head size).")
        }
        guard try !reader.bool("scale_attn_by_inverse_layer_idx", default: false) else {
            throw .unsupportedConfig(file: source, field: "scale_attn_by_inverse_layer_idx", value: "true",
                                     fix: "Lathe does not scale attention by layer index.")
        }
        guard try !reader.bool("add_cross_attention", default: false) else {
            throw .unsupportedConfig(file: source, field: "add_cross_attention", value: "true",
                                     fix: "Lathe runs decoder-only GPT-2 without cross-attention.")
        }
        let nPositions = try reader.positiveInt("n_positions", default: reader.positiveInt("n_ctx", default: 1024))
        var config = HFGPT2Config(
            vocabSize: try reader.positiveInt("vocab_size", default: 50257),
            nPositions: nPositions,
            nEmbd: try reader.positiveInt("n_embd", default: 768),
            nLayer: try reader.positiveInt("n_layer", default: 12),
            nHead: try reader.positiveInt("n_head", default: 12),
            nInner: try reader.optionalPositiveInt("n_inner"),
            layerNormEpsilon: try reader.double("layer_norm_epsilon", default: 1e-5),
            bosTokenID: try reader.optionalPositiveInt("bos_token_id", allowZero: true),
            eosTokenID: try reader.optionalPositiveInt("eos_token_id", allowZero: true),
            initializerRange: try reader.double("initializer_range", default: 0.02))
        config.tieWordEmbeddings = try reader.bool("tie_word_embeddings", default: true)
        // Bounds first: a config claiming a million layers must fail here, not after the importer
        // has built a million layers' worth of expected tensor names and buffers.
        for (name, value, limit) in [("vocab_size", config.vocabSize, GPTConfig.maxVocabSize),
                                     ("n_positions", config.nPositions, GPTConfig.maxPositions),
                                     ("n_embd", config.nEmbd, GPTConfig.maxEmbedding), ("n_layer", config.nLayer, GPTConfig.maxLayers),
                                     ("n_head", config.nHead, GPTConfig.maxHeads), ("n_inner", config.nInner ?? 0, 4 * GPTConfig.maxEmbedding)]
        where value > limit {
            throw .invalidConfig(file: source, detail: "\(name) \(value) exceeds Lathe's limit of \(limit) (a damaged or hostile config?)")
        }
        guard config.nEmbd % config.nHead == 0 else {
            throw .invalidConfig(file: source, detail: "n_embd \(config.nEmbd) is not divisible by n_head \(config.nHead)")
        }
        return config
    }

    /// Reads and parses `<directory>/config.json`.
    public static func read(directory: URL) throws(HFCheckpointError) -> HFGPT2Config {
        let url = directory.appendingPathComponent("config.json")
        guard let data = try? Data(RegularFile.read(url.path)) else {
            throw .missingFile(directory: directory.path, file: "config.json",
                               hint: "A Hugging Face model directory needs config.json next to model.safetensors.")
        }
        return try parse(data, source: url.path)
    }
}
