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
        var dHidden = [Float](repeating: 0, count: batch.tokens.count * config.nEmbd)
        dHidden.withUnsafeMutableBufferPointer { maskedLMHeadBackward(head, into: $0.baseAddress!) }
        encoderBackward(batch, dPooled: nil, dHidden: dHidden)
    }

    /// The training forward's masked-LM loss over a `TokenBatch` (the trainer's path): the head on the
    /// positions with a target and a non-zero weight, Σ weight·(−log p(target)); each position's
    /// −log p goes to the activations' per-position losses (0 elsewhere), as `lossFromLogits` does.
    func maskedLMTokenLoss(_ a: GPTActivations, _ batch: TokenBatch) -> Float {
        precondition(batch.targets.allSatisfy { $0 < config.vocabSize }, "target id outside the vocabulary")
        let head = MaskedLMHeadState(model: self, targets: batch.targets, weights: batch.weights)
        maskedLMState = head
        let losses = a.ptr(a.losses)
        losses.update(repeating: 0, count: a.losses.count)
        for (r, row) in head.rows.enumerated() { losses[row] = head.rowLosses[r] }
        return head.loss
    }

    /// Adds the head's gradient into the parameter gradients (transform, LayerNorm, bias, and the tied
    /// word embeddings) and writes d(last block output) of the masked rows into `dHidden` (B·T, C; rows
    /// without a target are left as they are). Each row's d logits is (p − onehot)·weight.
    /// - Complexity: 2·m·C·(2·V + 2·C) FLOP for m masked positions.
    func maskedLMHeadBackward(_ head: MaskedLMHeadState, into dHidden: UnsafeMutablePointer<Float>) {
        let c = config.nEmbd, v = config.vocabSize, m = head.rows.count, o = offsets
        guard m > 0 else { return }
        var dlogits = head.probs
        for (r, target) in head.rowTargets.enumerated() {
            dlogits[r * v + Int(target)] -= 1
            let w = head.rowWeights[r]
            for j in 0..<v { dlogits[r * v + j] *= w }
        }
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
    }

    /// This encoder as a `BertForMaskedLM`: every encoder tensor copied (the pooler and a classifier head
    /// are dropped, as BertForMaskedLM has neither), the `cls.predictions` head initialised as
    /// transformers' `_init_weights` does (transform dense N(0, initializer_range²) from `seed`, its bias 0,
    /// LayerNorm 1 and 0, the output bias 0) and its decoder tied to the word embeddings. A model that has
    /// the head already is returned as it is.
    /// - Throws: `.invalidConfig` when this is not a BERT encoder.
    /// - Complexity: one copy of the parameters.
    public func withMaskedLMHead(seed: UInt64) throws(ModelingError) -> GPTModel {
        guard config.family == .bert else { throw .invalidConfig("only BERT encoders have a masked-LM head (this model is \(config.modelType))") }
        if config.maskedLMHead { return self }
        var c = config
        c.maskedLMHead = true
        c.numLabels = nil
        let out = try GPTModel(config: c)
        let source = parameterValues()
        var rng = SeededGenerator(seed: seed)
        out.withParameters { dst in
            for p in out.layout.parameters {
                if let q = layout.info(p.name), q.shape == p.shape {
                    for i in 0..<p.count { dst[p.offset + i] = source[q.offset + i] }
                } else if p.role == .norm {
                    (dst.baseAddress! + p.offset).update(repeating: 1, count: p.count)
                } else if p.shape.count > 1 {
                    rng.fillNormal(dst.baseAddress! + p.offset, n: p.count, std: config.initializerRange)
                }
            }
        }
        return out
    }

    /// The (m, V) logits of the masked positions of the last `maskedLMLoss`, row-major in position order.
    public func maskedLMLogits() -> [Float] { maskedLMState?.logits ?? [] }
}
