/// Offsets (and layout indices, for the trainable flags) of every tensor the forward pass touches,
/// resolved once from the layout's names.
struct ModelOffsets {
    struct Entry { let index: Int; let offset: Int }

    /// One of a block's four matrix products: its weight tensors (one, or several HF modules whose
    /// weights are contiguous, e.g. q|k|v) and their biases (contiguous too, or none).
    struct Product {
        let weights: [Entry]
        let biases: [Entry]
        /// Output columns of each part, in order (they sum to `outFeatures`).
        let partWidths: [Int]
        let inFeatures: Int
        let outFeatures: Int
        var weight: Int { weights[0].offset }
        var bias: Int? { biases.first?.offset }
    }

    struct Block {
        let norm1: Entry, norm1Bias: Entry?
        let qkv: Product, proj: Product
        let norm2: Entry, norm2Bias: Entry?
        let fc: Product, fcproj: Product
    }

    let wte: Entry
    /// Learned positions (GPT-2), nil for rotary models.
    let wpe: Entry?
    let normF: Entry, normFBias: Entry?
    /// The head weight (V, C): the token embedding when tied; a classifier's `score.weight` (num_labels, C).
    let head: Entry
    /// The head's bias: BERT's `classifier.bias` (num_labels); nil for every other head.
    let headBias: Entry?
    let blocks: [Block]
    /// BERT: the token-type table and the pooler's dense (tanh follows); nil for decoders. BERT's
    /// `normF` is the embedding LayerNorm (it has no final norm).
    let tokenTypes: Entry?
    let pooler: Product?
    /// BertForMaskedLM's head: transform dense, its LayerNorm, the output bias (the decoder is `wte`).
    let mlmDense: Product?, mlmNorm: Entry?, mlmNormBias: Entry?, mlmBias: Entry?

    /// Module names per family: (norm1, qkv parts, attention output, norm2, MLP input parts, MLP output).
    static func names(_ family: DecoderFamily) -> (String, [String], String, String, [String], String) {
        switch family {
        case .gpt2: return ("ln_1", ["attn.c_attn"], "attn.c_proj", "ln_2", ["mlp.c_fc"], "mlp.c_proj")
        case .bert:
            return ("attention.output.LayerNorm", ["attention.self.query", "attention.self.key", "attention.self.value"],
                    "attention.output.dense", "output.LayerNorm", ["intermediate.dense"], "output.dense")
        case .llama:
            return ("input_layernorm", ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"], "self_attn.o_proj",
                    "post_attention_layernorm", ["mlp.gate_proj", "mlp.up_proj"], "mlp.down_proj")
        }
    }

    init(layout: ParameterLayout, config: GPTConfig) {
        func e(_ name: String) -> Entry {
            let i = layout.entryIndex(name)!  // safe: the names below are the layout's own table
            return Entry(index: i, offset: layout.parameters[i].offset)
        }
        func optional(_ name: String) -> Entry? { layout.entryIndex(name).map { Entry(index: $0, offset: layout.parameters[$0].offset) } }
        func product(_ prefix: String, _ modules: [String]) -> Product {
            let infos = modules.map { layout.info(prefix + $0 + ".weight")! }
            let widths = infos.map { config.block.outIn ? $0.shape[0] : $0.shape[1] }
            let inFeatures = config.block.outIn ? infos[0].shape[1] : infos[0].shape[0]
            return Product(weights: modules.map { e(prefix + $0 + ".weight") }, biases: modules.compactMap { optional(prefix + $0 + ".bias") },
                           partWidths: widths, inFeatures: inFeatures, outFeatures: widths.reduce(0, +))
        }
        let (n1, qkv, proj, n2, fc, fcproj) = Self.names(config.family)
        switch config.family {
        case .gpt2:
            wte = e("transformer.wte.weight"); wpe = e("transformer.wpe.weight")
            normF = e("transformer.ln_f.weight"); normFBias = e("transformer.ln_f.bias")
            head = config.numLabels == nil ? wte : e("score.weight")
        case .llama:
            wte = e("model.embed_tokens.weight"); wpe = nil
            normF = e("model.norm.weight"); normFBias = nil
            head = config.numLabels != nil ? e("score.weight") : config.tiedEmbeddings ? wte : e("lm_head.weight")
        case .bert:
            wte = e("embeddings.word_embeddings.weight"); wpe = e("embeddings.position_embeddings.weight")
            normF = e("embeddings.LayerNorm.weight"); normFBias = e("embeddings.LayerNorm.bias")
            head = config.numLabels == nil ? wte : e("classifier.weight")
        }
        headBias = config.family == .bert && config.numLabels != nil ? e("classifier.bias") : nil
        tokenTypes = config.family == .bert ? e("embeddings.token_type_embeddings.weight") : nil
        let bertPooler = config.family == .bert && !config.maskedLMHead, mlm = config.family == .bert && config.maskedLMHead
        pooler = bertPooler ? product("", ["pooler.dense"]) : nil
        mlmDense = mlm ? product("", ["cls.predictions.transform.dense"]) : nil
        mlmNorm = mlm ? e("cls.predictions.transform.LayerNorm.weight") : nil
        mlmNormBias = mlm ? e("cls.predictions.transform.LayerNorm.bias") : nil
        mlmBias = mlm ? e("cls.predictions.bias") : nil
        blocks = (0..<config.nLayer).map { l in
            let p = layout.blockPrefix(l)
            return Block(norm1: e(p + n1 + ".weight"), norm1Bias: optional(p + n1 + ".bias"), qkv: product(p, qkv),
                         proj: product(p, [proj]), norm2: e(p + n2 + ".weight"), norm2Bias: optional(p + n2 + ".bias"),
                         fc: product(p, fc), fcproj: product(p, [fcproj]))
        }
    }
}
