import Compute
import Foundation

/// The head's saved tensors for one batch: m masked rows.
final class MaskedLMHeadState {
    /// Flat (B·T) positions with a target, their targets, and the head's intermediate rows (m, C).
    let rows: [Int], rowTargets: [Int32]
    /// Each row's loss weight (1/m without `weights`) and its −log p(target).
    let rowWeights: [Float], rowLosses: [Float]
    let hidden: [Float], dense: [Float], activated: [Float], normed: [Float], mean: [Float], rstd: [Float]
    /// (m, V) logits and their softmax.
    let logits: [Float], probs: [Float]
    let loss: Float

    /// The rows are the positions whose target is ≥ 0 and, with `weights` (B·T), whose weight is not 0;
    /// the loss is Σ weight·(−log p(target)) over them, or their mean without `weights`.
    init(model: GPTModel, targets: [Int32], weights: [Float]? = nil) {
        let c = model.config.nEmbd, v = model.config.vocabSize, o = model.offsets
        let rows = targets.indices.filter { targets[$0] >= 0 && (weights == nil || weights![$0] != 0) }
        self.rows = rows
        let rowTargets = rows.map { targets[$0] }
        self.rowTargets = rowTargets
        let m = rows.count
        let rowWeights = rows.map { weights?[$0] ?? 1 / Float(m) }
        self.rowWeights = rowWeights
        var rowLosses = [Float](repeating: 0, count: m)
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
            for (r, target) in rowTargets.enumerated() {
                let nll = -Foundation.log(Double(max(probs[r * v + Int(target)], Float.leastNormalMagnitude)))
                rowLosses[r] = Float(nll)
                loss += weights == nil ? nll : Double(rowWeights[r]) * nll
            }
            if weights == nil { loss /= Double(m) }
        }
        self.rowLosses = rowLosses
        self.hidden = hidden; self.dense = dense; self.activated = activated; self.normed = normed
        self.mean = mean; self.rstd = rstd; self.logits = logits; self.probs = probs; self.loss = Float(loss)
    }
}
