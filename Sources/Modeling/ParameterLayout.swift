import Compute

/// The single table that drives the parameter allocation, HF names, weight decay, freezing and LoRA
/// targets (llm.c `fill_in_parameter_sizes`), one name table per `DecoderFamily`. Order: token
/// embedding, positions (GPT-2), then each block's tensors, then the final norm and an untied head, so
/// one block's parameters are contiguous — and so are the weights (and the biases) of modules a block
/// fuses into one product.
public struct ParameterLayout: Sendable, Hashable {
    public let parameters: [ParameterInfo]
    /// Total number of floats.
    public let totalCount: Int
    /// The linear modules of every block, in product order (what `lora_target_linear` selects).
    public let linearModules: [LinearModule]
    /// Prefix of block `l`'s names (`transformer.h.3.`, `model.layers.3.`).
    public let blockPrefix: @Sendable (Int) -> String
    private let index: [String: Int]

    public static func == (a: ParameterLayout, b: ParameterLayout) -> Bool { a.parameters == b.parameters }
    public func hash(into h: inout Hasher) { h.combine(parameters) }

    public init(config: GPTConfig) {
        let c = config.nEmbd
        var list: [ParameterInfo] = []
        var offset = 0
        func add(_ module: String, _ suffix: String, _ shape: [Int], layer: Int?, blockModule: String? = nil, role: ParameterInfo.Role) {
            let n = shape.reduce(1, *)
            let local = blockModule ?? String(module.split(separator: ".").last ?? "")
            list.append(ParameterInfo(name: module + "." + suffix, shape: shape, offset: offset, count: n,
                                      decays: shape.count >= 2, layer: layer, modulePath: module, blockModule: local, role: role))
            offset += n
        }
        let heads = config.heads, f = config.intermediateSize
        let q = heads.outputWidth, kv = heads.kvCount * heads.headDim
        switch config.family {
        case .gpt2:
            let prefix: @Sendable (Int) -> String = { "transformer.h.\($0)." }
            blockPrefix = prefix
            add("transformer.wte", "weight", [config.vocabSize, c], layer: nil, role: .embedding)
            add("transformer.wpe", "weight", [config.nPositions, c], layer: nil, role: .positions)
            for l in 0..<config.nLayer {
                let p = prefix(l)
                func blk(_ m: String, _ s: String, _ shape: [Int], _ role: ParameterInfo.Role) {
                    add(p + m, s, shape, layer: l, blockModule: m, role: role)
                }
                blk("ln_1", "weight", [c], .norm); blk("ln_1", "bias", [c], .bias)
                blk("attn.c_attn", "weight", [c, 3 * c], .linear); blk("attn.c_attn", "bias", [3 * c], .bias)
                blk("attn.c_proj", "weight", [c, c], .linear); blk("attn.c_proj", "bias", [c], .bias)
                blk("ln_2", "weight", [c], .norm); blk("ln_2", "bias", [c], .bias)
                blk("mlp.c_fc", "weight", [c, f], .linear); blk("mlp.c_fc", "bias", [f], .bias)
                blk("mlp.c_proj", "weight", [f, c], .linear); blk("mlp.c_proj", "bias", [c], .bias)
            }
            add("transformer.ln_f", "weight", [c], layer: nil, role: .norm)
            add("transformer.ln_f", "bias", [c], layer: nil, role: .bias)
            if let labels = config.numLabels { add("score", "weight", [labels, c], layer: nil, role: .head) }
            linearModules = [
                LinearModule(blockModule: "attn.c_attn", product: 0, outputOffset: 0, inFeatures: c, outFeatures: 3 * c),
                LinearModule(blockModule: "attn.c_proj", product: 1, outputOffset: 0, inFeatures: c, outFeatures: c),
                LinearModule(blockModule: "mlp.c_fc", product: 2, outputOffset: 0, inFeatures: c, outFeatures: f),
                LinearModule(blockModule: "mlp.c_proj", product: 3, outputOffset: 0, inFeatures: f, outFeatures: c),
            ]
        case .llama:
            let prefix: @Sendable (Int) -> String = { "model.layers.\($0)." }
            blockPrefix = prefix
            add("model.embed_tokens", "weight", [config.vocabSize, c], layer: nil, role: .embedding)
            for l in 0..<config.nLayer {
                let p = prefix(l)
                func blk(_ m: String, _ s: String, _ shape: [Int], _ role: ParameterInfo.Role) {
                    add(p + m, s, shape, layer: l, blockModule: m, role: role)
                }
                blk("input_layernorm", "weight", [c], .norm)
                // q, k, v weights (then their biases) contiguous: one [(NH + 2·NKV)·hd, C] product.
                blk("self_attn.q_proj", "weight", [q, c], .linear)
                blk("self_attn.k_proj", "weight", [kv, c], .linear)
                blk("self_attn.v_proj", "weight", [kv, c], .linear)
                if config.qkvBias {
                    blk("self_attn.q_proj", "bias", [q], .bias); blk("self_attn.k_proj", "bias", [kv], .bias)
                    blk("self_attn.v_proj", "bias", [kv], .bias)
                }
                blk("self_attn.o_proj", "weight", [c, q], .linear)
                if config.outputBias { blk("self_attn.o_proj", "bias", [c], .bias) }
                blk("post_attention_layernorm", "weight", [c], .norm)
                blk("mlp.gate_proj", "weight", [f, c], .linear); blk("mlp.up_proj", "weight", [f, c], .linear)
                if config.mlpBias { blk("mlp.gate_proj", "bias", [f], .bias); blk("mlp.up_proj", "bias", [f], .bias) }
                blk("mlp.down_proj", "weight", [c, f], .linear)
                if config.mlpBias { blk("mlp.down_proj", "bias", [c], .bias) }
            }
            add("model.norm", "weight", [c], layer: nil, role: .norm)
            if let labels = config.numLabels {
                add("score", "weight", [labels, c], layer: nil, role: .head)
            } else if !config.tiedEmbeddings {
                add("lm_head", "weight", [config.vocabSize, c], layer: nil, role: .head)
            }
            linearModules = [
                LinearModule(blockModule: "self_attn.q_proj", product: 0, outputOffset: 0, inFeatures: c, outFeatures: q),
                LinearModule(blockModule: "self_attn.k_proj", product: 0, outputOffset: q, inFeatures: c, outFeatures: kv),
                LinearModule(blockModule: "self_attn.v_proj", product: 0, outputOffset: q + kv, inFeatures: c, outFeatures: kv),
                LinearModule(blockModule: "self_attn.o_proj", product: 1, outputOffset: 0, inFeatures: q, outFeatures: c),
                LinearModule(blockModule: "mlp.gate_proj", product: 2, outputOffset: 0, inFeatures: c, outFeatures: f),
                LinearModule(blockModule: "mlp.up_proj", product: 2, outputOffset: f, inFeatures: c, outFeatures: f),
                LinearModule(blockModule: "mlp.down_proj", product: 3, outputOffset: 0, inFeatures: f, outFeatures: c),
            ]
        case .bert:
            // BertModel's names (a `bert.` prefix, as BertForMaskedLM / …ForSequenceClassification write, is
            // removed on import); q, k, v weights then their biases contiguous, like Llama's.
            let prefix: @Sendable (Int) -> String = { "encoder.layer.\($0)." }
            blockPrefix = prefix
            add("embeddings.word_embeddings", "weight", [config.vocabSize, c], layer: nil, role: .embedding)
            add("embeddings.position_embeddings", "weight", [config.nPositions, c], layer: nil, role: .positions)
            add("embeddings.token_type_embeddings", "weight", [config.typeVocabSize, c], layer: nil, role: .positions)
            add("embeddings.LayerNorm", "weight", [c], layer: nil, role: .norm)
            add("embeddings.LayerNorm", "bias", [c], layer: nil, role: .bias)
            for l in 0..<config.nLayer {
                let p = prefix(l)
                func blk(_ m: String, _ s: String, _ shape: [Int], _ role: ParameterInfo.Role) {
                    add(p + m, s, shape, layer: l, blockModule: m, role: role)
                }
                blk("attention.self.query", "weight", [q, c], .linear)
                blk("attention.self.key", "weight", [kv, c], .linear)
                blk("attention.self.value", "weight", [kv, c], .linear)
                blk("attention.self.query", "bias", [q], .bias); blk("attention.self.key", "bias", [kv], .bias)
                blk("attention.self.value", "bias", [kv], .bias)
                blk("attention.output.dense", "weight", [c, q], .linear); blk("attention.output.dense", "bias", [c], .bias)
                blk("attention.output.LayerNorm", "weight", [c], .norm); blk("attention.output.LayerNorm", "bias", [c], .bias)
                blk("intermediate.dense", "weight", [f, c], .linear); blk("intermediate.dense", "bias", [f], .bias)
                blk("output.dense", "weight", [c, f], .linear); blk("output.dense", "bias", [c], .bias)
                blk("output.LayerNorm", "weight", [c], .norm); blk("output.LayerNorm", "bias", [c], .bias)
            }
            if config.maskedLMHead {
                // BertForMaskedLM's head; its decoder weight is the word embedding (tied)
                add("cls.predictions.transform.dense", "weight", [c, c], layer: nil, role: .linear)
                add("cls.predictions.transform.dense", "bias", [c], layer: nil, role: .bias)
                add("cls.predictions.transform.LayerNorm", "weight", [c], layer: nil, role: .norm)
                add("cls.predictions.transform.LayerNorm", "bias", [c], layer: nil, role: .bias)
                add("cls.predictions", "bias", [config.vocabSize], layer: nil, role: .bias)
            } else {
                add("pooler.dense", "weight", [c, c], layer: nil, role: .linear)
                add("pooler.dense", "bias", [c], layer: nil, role: .bias)
                if let labels = config.numLabels {
                    // BertForSequenceClassification's head over the pooled [CLS] vector
                    add("classifier", "weight", [labels, c], layer: nil, role: .head)
                    add("classifier", "bias", [labels], layer: nil, role: .head)
                }
            }
            linearModules = [
                LinearModule(blockModule: "attention.self.query", product: 0, outputOffset: 0, inFeatures: c, outFeatures: q),
                LinearModule(blockModule: "attention.self.key", product: 0, outputOffset: q, inFeatures: c, outFeatures: kv),
                LinearModule(blockModule: "attention.self.value", product: 0, outputOffset: q + kv, inFeatures: c, outFeatures: kv),
                LinearModule(blockModule: "attention.output.dense", product: 1, outputOffset: 0, inFeatures: q, outFeatures: c),
                LinearModule(blockModule: "intermediate.dense", product: 2, outputOffset: 0, inFeatures: c, outFeatures: f),
                LinearModule(blockModule: "output.dense", product: 3, outputOffset: 0, inFeatures: f, outFeatures: c),
            ]
        }
        parameters = list
        totalCount = offset
        index = Dictionary(uniqueKeysWithValues: list.enumerated().map { ($1.name, $0) })
    }

    /// The entry named `name` (HF spelling), or nil.
    public func info(_ name: String) -> ParameterInfo? { index[name].map { parameters[$0] } }

    /// Index of the entry named `name`, or nil.
    public func entryIndex(_ name: String) -> Int? { index[name] }

    /// Offset of a parameter that must exist (internal: the model addresses its own tensors by name).
    func offset(_ name: String) -> Int { parameters[index[name]!].offset }
}
