import Compute

/// Activation buffers for one (B, T): everything forward saves for backward, in one arena, plus (when
/// training) one arena of gradient scratch reused across layers (llm.c `ActivationTensors`).
///
/// For inference (`forBackward` false) every layer shares one set of per-layer buffers: nothing of layer
/// l is read after layer l + 1 starts except its output residual, which layer l + 1 reads (norm, residual
/// add) before it writes its own. That keeps a 30-layer model's evaluation at 1/30 of the training arena
/// (SmolLM2-135M at 8 × 1,024 tokens: 23.6 GB before, about 3 GB now, most of it the logits).
final class GPTActivations {
    let b: Int, t: Int
    /// Whether every layer has its own buffers (what `backward` needs); false: one shared set.
    let forBackward: Bool
    let arena: Arena
    /// The blocks' input (embeddings; encoders: after the embedding LayerNorm) and the final norm's
    /// output. `lnfMean`/`lnfRstd` are `normF`'s statistics: the final norm's, or an encoder's embedding
    /// LayerNorm's.
    let encoded: TensorView, lnf: TensorView, lnfMean: TensorView, lnfRstd: TensorView
    /// (B·T, num_labels or V) head output; empty for an encoder without a classifier (its heads read
    /// the hidden states).
    let logits: TensorView, losses: TensorView, scratch: TensorView
    /// Encoders: word + position + token-type rows before the embedding LayerNorm (B·T, C); empty otherwise.
    let embedded: TensorView
    /// Encoders with a pooler: each row's first hidden state (B, C), its dense, tanh of that (the pooled
    /// vectors), and a classifier's logits (B, num_labels); empty otherwise.
    let cls: TensorView, poolerDense: TensorView, pooled: TensorView, classRows: TensorView
    /// Encoders: real positions per row (B), from the batch's segments (padding is segment −1).
    var lengths: [Int32]
    /// Rotary cos and sin (B·T, hd/2) of this batch's positions (empty for learned positions).
    let ropeCos: TensorView, ropeSin: TensorView
    /// Per layer.
    let ln1: [TensorView], ln1Mean: [TensorView], ln1Rstd: [TensorView], qkv: [TensorView], atty: [TensorView]
    let att: [TensorView], residual2: [TensorView], ln2: [TensorView], ln2Mean: [TensorView], ln2Rstd: [TensorView]
    let fch: [TensorView], fchGelu: [TensorView], residual3: [TensorView]

    /// Gradient scratch (allocated on first backward).
    var grads: GradientScratch?

    /// Floats the activation arena holds (for the benchmark's memory budget).
    var floatCount: Int { arena.count + (grads?.arena.count ?? 0) }

    init(config: GPTConfig, b: Int, t: Int, forBackward: Bool = true) {
        self.b = b; self.t = t; self.forBackward = forBackward
        let n = b * t, c = config.nEmbd, L = config.nLayer, w = Self.widths(config)
        var p = ArenaPlanner()
        encoded = p.reserve([n, c])
        func per(_ shape: [Int]) -> [TensorView] {
            if forBackward { return (0..<L).map { _ in p.reserve(shape) } }
            return Array(repeating: p.reserve(shape), count: L)
        }
        ln1 = per([n, c]); ln1Mean = per([n]); ln1Rstd = per([n]); qkv = per([n, w.qkv]); atty = per([n, w.attention])
        att = per([b, config.nHead, t, t]); residual2 = per([n, c]); ln2 = per([n, c]); ln2Mean = per([n])
        ln2Rstd = per([n]); fch = per([n, w.mlpIn]); fchGelu = per([n, w.mlpHidden]); residual3 = per([n, c])
        let encoder = config.block.encoder
        lnf = p.reserve([encoder ? 0 : n, c]); lnfMean = p.reserve([n]); lnfRstd = p.reserve([n])
        logits = p.reserve([n, encoder && config.numLabels == nil ? 0 : config.outputWidth]); losses = p.reserve([n])
        scratch = p.reserve([n, c])
        embedded = p.reserve([encoder ? n : 0, c])
        let pb = config.hasPooler ? b : 0
        cls = p.reserve([pb, c]); poolerDense = p.reserve([pb, c]); pooled = p.reserve([pb, c])
        classRows = p.reserve([pb, config.numLabels ?? 0])
        lengths = [Int32](repeating: Int32(t), count: b)
        let half = config.block.rotary ? config.headDim / 2 : 0
        ropeCos = p.reserve([n, half]); ropeSin = p.reserve([n, half])
        arena = Arena(count: p.total)
    }

    @inline(__always) func ptr(_ v: TensorView) -> UnsafeMutablePointer<Float> { arena.base + v.offset }

    /// Row widths of a block's intermediate tensors: qkv (NH + 2·NKV)·hd, attention output NH·hd, MLP
    /// input f (GELU) or 2·f (gate|up), MLP hidden f.
    static func widths(_ config: GPTConfig) -> (qkv: Int, attention: Int, mlpIn: Int, mlpHidden: Int) {
        let f = config.intermediateSize
        return (config.heads.qkvWidth, config.heads.outputWidth, config.block.gatedMLP ? 2 * f : f, f)
    }
}
