import Compute
import Foundation

/// The head's saved tensors for one batch: m masked rows.
final class MaskedLMHeadState {
    /// Flat (B·T) positions with a target, their targets, and the head's intermediate rows (m, C).
    let rows: [Int], rowTargets: [Int32]
    let hidden: [Float], dense: [Float], activated: [Float], normed: [Float], mean: [Float], rstd: [Float]
    /// (m, V) logits and their softmax.
    let logits: [Float], probs: [Float]
    let loss: Float

    init(model: GPTModel, targets: [Int32]) {
        let c = model.config.nEmbd, v = model.config.vocabSize, o = model.offsets
        let rows = targets.indices.filter { targets[$0] >= 0 }
        self.rows = rows
        rowTargets = rows.map { targets[$0] }
        let m = rows.count
        var hidden = [Float](repeating: 0, count: m * c)
        model.withHiddenStates { h in
            for (r, row) in rows.enumerated() { for j in 0..<c { hidden[r * c + j] = h[row * c + j] } }
        }
        var dense = [Float](repeating: 0, count: m * c), activated = dense, normed = dense
        var mean = [Float](repeating: 0, count: m), rstd = mean
        var logits = [Float](repeating: 0, count: m * v), probs = logits
        var loss: Double = 0
        if m > 0 {
            let d = o.mlmDense!
            Matmul.linearForward(out: &dense, inp: hidden, weight: model.param(d.weight), bias: d.bias.map { model.param($0) },
                                 n: m, c: c, oc: c, outIn: true)
            ErfGELU.forward(out: &activated, inp: dense, n: m * c)
            LayerNorm.forward(out: &normed, mean: &mean, rstd: &rstd, inp: activated, weight: model.param(o.mlmNorm!.offset),
                              bias: model.param(o.mlmNormBias!.offset), n: m, c: c, epsilon: model.config.layerNormEpsilon)
            Matmul.gemm(transA: false, transB: true, m: m, n: v, k: c, a: normed, lda: c, b: model.param(o.wte.offset), ldb: c,
                        beta: 0, c: &logits, ldc: v)
            let bias = model.param(o.mlmBias!.offset)
            for r in 0..<m { for j in 0..<v { logits[r * v + j] += bias[j] } }
            Softmax.forward(probs: &probs, logits: logits, n: m, v: v)
            for (r, target) in rows.map({ targets[$0] }).enumerated() {
                loss -= Foundation.log(Double(max(probs[r * v + Int(target)], Float.leastNormalMagnitude)))
            }
            loss /= Double(m)
        }
        self.hidden = hidden; self.dense = dense; self.activated = activated; self.normed = normed
        self.mean = mean; self.rstd = rstd; self.logits = logits; self.probs = probs; self.loss = Float(loss)
    }
}
