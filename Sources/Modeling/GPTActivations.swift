import Compute

/// Activation buffers for one (B, T): everything forward saves for backward, in one arena, plus (when
/// training) one arena of gradient scratch reused across layers (llm.c `ActivationTensors`).
final class GPTActivations {
    let b: Int, t: Int
    let arena: Arena
    let encoded: TensorView, lnf: TensorView, lnfMean: TensorView, lnfRstd: TensorView
    let logits: TensorView, losses: TensorView, scratch: TensorView
    /// Per layer.
    let ln1: [TensorView], ln1Mean: [TensorView], ln1Rstd: [TensorView], qkv: [TensorView], atty: [TensorView]
    let att: [TensorView], residual2: [TensorView], ln2: [TensorView], ln2Mean: [TensorView], ln2Rstd: [TensorView]
    let fch: [TensorView], fchGelu: [TensorView], residual3: [TensorView]

    /// Gradient scratch (allocated on first backward).
    var grads: GradientScratch?

    /// Floats the activation arena holds (for the benchmark's memory budget).
    var floatCount: Int { arena.count + (grads?.arena.count ?? 0) }

    init(config: GPTConfig, b: Int, t: Int) {
        self.b = b; self.t = t
        let n = b * t, c = config.nEmbd, L = config.nLayer
        var p = ArenaPlanner()
        encoded = p.reserve([n, c])
        func per(_ shape: [Int]) -> [TensorView] { (0..<L).map { _ in p.reserve(shape) } }
        ln1 = per([n, c]); ln1Mean = per([n]); ln1Rstd = per([n]); qkv = per([n, 3 * c]); atty = per([n, c])
        att = per([b, config.nHead, t, t]); residual2 = per([n, c]); ln2 = per([n, c]); ln2Mean = per([n])
        ln2Rstd = per([n]); fch = per([n, 4 * c]); fchGelu = per([n, 4 * c]); residual3 = per([n, c])
        lnf = p.reserve([n, c]); lnfMean = p.reserve([n]); lnfRstd = p.reserve([n])
        logits = p.reserve([n, config.vocabSize]); losses = p.reserve([n]); scratch = p.reserve([n, c])
        arena = Arena(count: p.total)
    }

    @inline(__always) func ptr(_ v: TensorView) -> UnsafeMutablePointer<Float> { arena.base + v.offset }
}

/// Gradient buffers for backward, shared by all layers (each is fully rewritten before it is read).
final class GradientScratch {
    let arena: Arena
    let dresidual: TensorView, dln: TensorView, dqkv: TensorView, datty: TensorView, dfch: TensorView
    let dfchGelu: TensorView, attRows: TensorView

    init(config: GPTConfig, b: Int, t: Int) {
        let n = b * t, c = config.nEmbd
        var p = ArenaPlanner()
        dresidual = p.reserve([n, c]); dln = p.reserve([n, c]); dqkv = p.reserve([n, 3 * c]); datty = p.reserve([n, c])
        dfch = p.reserve([n, 4 * c]); dfchGelu = p.reserve([n, 4 * c]); attRows = p.reserve([b, config.nHead, t, t])
        arena = Arena(count: p.total)
    }

    @inline(__always) func ptr(_ v: TensorView) -> UnsafeMutablePointer<Float> { arena.base + v.offset }
    func zero(_ v: TensorView) { ptr(v).update(repeating: 0, count: v.count) }
}
