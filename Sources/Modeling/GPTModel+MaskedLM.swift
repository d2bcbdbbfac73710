import Compute
import Foundation

/// BertForMaskedLM's objective on the encoder: the `cls.predictions` head (transform dense → erf GELU →
/// LayerNorm → decoder tied to the word embeddings + bias) on the masked positions only, mean
/// cross-entropy over them (HF's labels of −100 elsewhere).
extension GPTModel {
    /// Runs `encode(batch, forBackward:)` and the head on positions whose `targets` entry is ≥ 0;
    /// returns the mean −log p(target) over them (0 when there are none). `targets` is (B·T).
    /// - Complexity: the encoder's, plus 2·m·C·(C + V) FLOP for m masked positions.
    @discardableResult
    public func maskedLMLoss(_ batch: EncoderBatch, targets: [Int32], forBackward: Bool = false) -> Float {
        precondition(config.maskedLMHead, "maskedLMLoss needs a model with the cls.predictions head")
        precondition(targets.count == batch.tokens.count && targets.allSatisfy { $0 < config.vocabSize }, "targets are (B·T) ids or −1")
        encode(batch, forBackward: forBackward)
        let head = MaskedLMHeadState(model: self, targets: targets)
        maskedLMState = head
        return head.loss
    }

    /// Adds the gradient of the last `maskedLMLoss(batch, targets:, forBackward: true)` into the
    /// gradient buffer (call `zeroGradients` first).
    public func maskedLMBackward(_ batch: EncoderBatch) {
        guard let head = maskedLMState else { preconditionFailure("maskedLMBackward needs maskedLMLoss first") }
        let c = config.nEmbd, v = config.vocabSize, m = head.rows.count, o = offsets
        var dHidden = [Float](repeating: 0, count: batch.tokens.count * c)
        guard m > 0 else { return encoderBackward(batch, dPooled: nil, dHidden: dHidden) }
        var dlogits = head.probs
        for (r, target) in head.rowTargets.enumerated() { dlogits[r * v + Int(target)] -= 1 }
        let scale = 1 / Float(m)
        for i in dlogits.indices { dlogits[i] *= scale }
        var dnormed = [Float](repeating: 0, count: m * c), dgelu = [Float](repeating: 0, count: m * c)
        var ddense = [Float](repeating: 0, count: m * c), dh = [Float](repeating: 0, count: m * c)
        dlogits.withUnsafeBufferPointer { dl in
            // decoder: dnormed = dlogits·wte; dwte += dlogitsᵀ·normed; dbias += column sums
            Matmul.gemm(transA: false, transB: false, m: m, n: c, k: v, a: dl.baseAddress!, lda: v, b: param(o.wte.offset), ldb: c,
                        beta: 0, c: &dnormed, ldc: c)
            if let dwte = grad(o.wte.index, o.wte.offset) {
                head.normed.withUnsafeBufferPointer { h in
                    Matmul.gemm(transA: true, transB: false, m: v, n: c, k: m, a: dl.baseAddress!, lda: v, b: h.baseAddress!, ldb: c,
                                beta: 1, c: dwte, ldc: c)
                }
            }
            if let bias = o.mlmBias, let dbias = grad(bias.index, bias.offset) {
                for r in 0..<m { VectorMath.axpy(1, dl.baseAddress! + r * v, dbias, v) }
            }
        }
        let norm = o.mlmNorm!, normBias = o.mlmNormBias!, dense = o.mlmDense!
        LayerNorm.backward(dinp: &dgelu, dweight: grad(norm.index, norm.offset), dbias: grad(normBias.index, normBias.offset),
                           dout: dnormed, inp: head.activated, weight: param(norm.offset), mean: head.mean, rstd: head.rstd, n: m, c: c)
        ErfGELU.backward(dinp: &ddense, inp: head.dense, dout: dgelu, n: m * c)
        Matmul.linearBackward(dinp: &dh, dweight: grad(dense.weights[0].index, dense.weight),
                              dbias: grad(dense.biases[0].index, dense.biases[0].offset), dout: ddense, inp: head.hidden,
                              weight: param(dense.weight), n: m, c: c, oc: c, outIn: true)
        for (r, row) in head.rows.enumerated() {
            for j in 0..<c { dHidden[row * c + j] += dh[r * c + j] }
        }
        encoderBackward(batch, dPooled: nil, dHidden: dHidden)
    }

    /// The (m, V) logits of the masked positions of the last `maskedLMLoss`, row-major in position order.
    public func maskedLMLogits() -> [Float] { maskedLMState?.logits ?? [] }
}
