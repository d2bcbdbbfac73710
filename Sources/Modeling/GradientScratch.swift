import Compute

/// Gradient buffers for backward, shared by all layers (each is fully rewritten before it is read).
final class GradientScratch {
    let arena: Arena
    let dresidual: TensorView, dln: TensorView, dqkv: TensorView, datty: TensorView, dfch: TensorView
    let dfchGelu: TensorView, attRows: TensorView
    /// Encoders: a third residual-gradient row set (post-LN backward, B·T × C); the pooler's gradients
    /// (B, C each) and the classifier rows' (B, num_labels).
    let dextra: TensorView, dpooled: TensorView, dpoolerDense: TensorView, dcls: TensorView, dclassRows: TensorView

    init(config: GPTConfig, b: Int, t: Int) {
        let n = b * t, c = config.nEmbd, w = GPTActivations.widths(config)
        var p = ArenaPlanner()
        dresidual = p.reserve([n, c]); dln = p.reserve([n, c]); dqkv = p.reserve([n, w.qkv]); datty = p.reserve([n, w.attention])
        dfch = p.reserve([n, w.mlpIn]); dfchGelu = p.reserve([n, w.mlpHidden]); attRows = p.reserve([b, config.nHead, t, t])
        dextra = p.reserve([config.block.encoder ? n : 0, c])
        let pb = config.hasPooler ? b : 0
        dpooled = p.reserve([pb, c]); dpoolerDense = p.reserve([pb, c]); dcls = p.reserve([pb, c])
        dclassRows = p.reserve([pb, config.numLabels ?? 0])
        arena = Arena(count: p.total)
    }

    @inline(__always) func ptr(_ v: TensorView) -> UnsafeMutablePointer<Float> { arena.base + v.offset }
    func zero(_ v: TensorView) { ptr(v).update(repeating: 0, count: v.count) }
}
