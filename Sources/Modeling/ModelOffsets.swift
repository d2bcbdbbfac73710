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
    let blocks: [Block]

    /// Module names per family: (norm1, qkv parts, attention output, norm2, MLP input parts, MLP output).
    static func names(_ family: DecoderFamily) -> (String, [String], String, String, [String], String) {
        switch family {
        case .gpt2: return ("ln_1", ["attn.c_attn"], "attn.c_proj", "ln_2", ["mlp.c_fc"], "mlp.c_proj")
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
        }
        blocks = (0..<config.nLayer).map { l in
            let p = layout.blockPrefix(l)
            return Block(norm1: e(p + n1 + ".weight"), norm1Bias: optional(p + n1 + ".bias"), qkv: product(p, qkv),
                         proj: product(p, [proj]), norm2: e(p + n2 + ".weight"), norm2Bias: optional(p + n2 + ".bias"),
                         fc: product(p, fc), fcproj: product(p, [fcproj]))
        }
    }
}
