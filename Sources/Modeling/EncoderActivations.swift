import Compute

/// What an encoder's forward saves for backward, for one (B, T), in one arena; plus gradient scratch
/// (allocated on the first backward). Shapes: n = B·T rows of C (or of f, the MLP width, or 3·C for qkv).
final class EncoderActivations {
    let b: Int, t: Int
    /// Saved per-layer probabilities and gradient scratch exist (a backward may follow).
    let training: Bool
    let arena: Arena
    /// Word + position + token-type rows before the embedding LayerNorm, and after it (block 0's input).
    let embedded: TensorView, encoded: TensorView, encodedMean: TensorView, encodedRstd: TensorView
    /// Per layer: qkv, attention probabilities (B, NH, T, T), attention output, x + attention, its
    /// LayerNorm (ln1), MLP input and GELU, ln1 + MLP, its LayerNorm (ln2: the block output).
    let qkv: [TensorView], att: [TensorView], atty: [TensorView], residual2: [TensorView]
    let ln1: [TensorView], ln1Mean: [TensorView], ln1Rstd: [TensorView], fch: [TensorView], fchGelu: [TensorView]
    let residual3: [TensorView], ln2: [TensorView], ln2Mean: [TensorView], ln2Rstd: [TensorView]
    let scratch: TensorView
    /// The [CLS] rows (B, C), the pooler's dense output and tanh of it (the pooled vectors).
    let cls: TensorView, poolerDense: TensorView, pooled: TensorView
    /// Backward scratch: three (n, C) residual-gradient rows, attention output and qkv gradients, MLP
    /// gradients, the probabilities' gradient (B, NH, T, T), and (B, C) pooler gradients.
    let gradArena: Arena
    let dA: TensorView, dB: TensorView, dC: TensorView, datty: TensorView, dqkv: TensorView
    let dfch: TensorView, dfchGelu: TensorView, dattRows: TensorView, dcls: TensorView, dpoolerDense: TensorView

    init(config: GPTConfig, b: Int, t: Int, training: Bool) {
        self.b = b; self.t = t; self.training = training
        let n = b * t, c = config.nEmbd, f = config.intermediateSize, L = config.nLayer, w = config.heads.qkvWidth
        var p = ArenaPlanner()
        embedded = p.reserve([n, c]); encoded = p.reserve([n, c]); encodedMean = p.reserve([n]); encodedRstd = p.reserve([n])
        func per(_ shape: [Int]) -> [TensorView] { (0..<L).map { _ in p.reserve(shape) } }
        qkv = per([n, w]); atty = per([n, config.heads.outputWidth]); residual2 = per([n, c])
        ln1 = per([n, c]); ln1Mean = per([n]); ln1Rstd = per([n]); fch = per([n, f]); fchGelu = per([n, f])
        residual3 = per([n, c]); ln2 = per([n, c]); ln2Mean = per([n]); ln2Rstd = per([n])
        // inference keeps one probability slot per parallel task, in the first layer's place
        att = training ? per([b, config.nHead, t, t]) : [TensorView](repeating: p.reserve([b, config.nHead, t, t]), count: L)
        scratch = p.reserve([n, c]); cls = p.reserve([b, c]); poolerDense = p.reserve([b, c]); pooled = p.reserve([b, c])
        arena = Arena(count: p.total)
        var g = ArenaPlanner()
        let gn = training ? n : 0, gb = training ? b : 0
        dA = g.reserve([gn, c]); dB = g.reserve([gn, c]); dC = g.reserve([gn, c]); datty = g.reserve([gn, config.heads.outputWidth])
        dqkv = g.reserve([gn, w]); dfch = g.reserve([gn, f]); dfchGelu = g.reserve([gn, f])
        dattRows = g.reserve([gb, config.nHead, t, t]); dcls = g.reserve([gb, c]); dpoolerDense = g.reserve([gb, c])
        gradArena = Arena(count: max(1, g.total))
    }

    @inline(__always) func ptr(_ v: TensorView) -> UnsafeMutablePointer<Float> { arena.base + v.offset }
    @inline(__always) func gptr(_ v: TensorView) -> UnsafeMutablePointer<Float> { gradArena.base + v.offset }
    func zero(_ v: TensorView) { gptr(v).update(repeating: 0, count: v.count) }
    var floatCount: Int { arena.count + gradArena.count }
}
