import Compute

extension GPTModel {
    /// Adds the gradient of the last `forward(batch)`'s loss into the gradient buffer (call
    /// `zeroGradients` first; accumulation over micro-batches is just repeated forward/backward).
    /// Frozen tensors get no gradient. Overwrites the saved probabilities with the logits' gradient.
    /// - Complexity: ≈ 4·N + 8·L·C·T FLOP per token.
    public func backward(_ batch: TokenBatch) {
        let b = batch.batchSize, t = batch.sequenceLength
        let c = config.nEmbd, v = config.outputWidth, n = b * t, heads = config.heads
        guard let a = activations, a.b == b, a.t == t, a.forBackward else { preconditionFailure("backward needs the training forward of the same batch") }
        if a.grads == nil { a.grads = GradientScratch(config: config, b: b, t: t) }
        let g = a.grads!
        let o = offsets
        // dlogits in place of the probabilities, already scaled by the loss weights
        batch.targets.withUnsafeBufferPointer { tg in
            batch.weights.withUnsafeBufferPointer { w in
                CrossEntropy.softmaxBackward(dlogits: a.ptr(a.logits), probs: a.ptr(a.logits), targets: tg.baseAddress!,
                                             weights: w.baseAddress!, n: n, v: v)
            }
        }
        // head: dlnf = dlogits · head; dhead += dlogitsᵀ · lnf (into the token embedding's gradient when tied)
        Matmul.gemmParallel(transA: false, transB: false, m: n, n: c, k: v, a: a.ptr(a.logits), lda: v,
                    b: param(o.head.offset), ldb: c, beta: 0, c: g.ptr(g.dln), ldc: c)
        if let dhead = grad(o.head.index, o.head.offset) {
            Matmul.gemmParallel(transA: true, transB: false, m: v, n: c, k: n, a: a.ptr(a.logits), lda: v,
                        b: a.ptr(a.lnf), ldb: c, beta: 1, c: dhead, ldc: c)
        }
        g.zero(g.dresidual)
        normBackward(dinp: g.ptr(g.dresidual), dout: g.ptr(g.dln), inp: a.ptr(a.residual3[config.nLayer - 1]),
                     mean: a.ptr(a.lnfMean), rstd: a.ptr(a.lnfRstd), weight: o.normF, bias: o.normFBias, n: n)
        let dres = g.ptr(g.dresidual)
        batch.segments.withUnsafeBufferPointer { seg in
            for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
                let w = o.blocks[l]
                let residual = l == 0 ? a.ptr(a.encoded) : a.ptr(a.residual3[l - 1])
                // dres holds d residual3[l]: flows to residual2 and into the MLP projection
                g.zero(g.dfchGelu)
                productBackward(w.fcproj, layer: l, index: 3, dinp: g.ptr(g.dfchGelu), dout: dres, inp: a.ptr(a.fchGelu[l]), n: n)
                if spec.gatedMLP {
                    SwiGLU.backward(dinp: g.ptr(g.dfch), inp: a.ptr(a.fch[l]), dout: g.ptr(g.dfchGelu), n: n, f: config.intermediateSize)
                } else {
                    GELU.backward(dinp: g.ptr(g.dfch), inp: a.ptr(a.fch[l]), dout: g.ptr(g.dfchGelu), n: n * config.intermediateSize)
                }
                g.zero(g.dln)
                productBackward(w.fc, layer: l, index: 2, dinp: g.ptr(g.dln), dout: g.ptr(g.dfch), inp: a.ptr(a.ln2[l]), n: n)
                normBackward(dinp: dres, dout: g.ptr(g.dln), inp: a.ptr(a.residual2[l]), mean: a.ptr(a.ln2Mean[l]),
                             rstd: a.ptr(a.ln2Rstd[l]), weight: w.norm2, bias: w.norm2Bias, n: n)
                // dres now holds d residual2[l]: flows to the block input and the attention projection
                g.zero(g.datty)
                productBackward(w.proj, layer: l, index: 1, dinp: g.ptr(g.datty), dout: dres, inp: a.ptr(a.atty[l]), n: n)
                g.zero(g.dqkv)
                Attention.backward(dqkv: g.ptr(g.dqkv), scratch: g.ptr(g.attRows), dout: g.ptr(g.datty),
                                   qkv: a.ptr(a.qkv[l]), att: a.ptr(a.att[l]), segments: seg.baseAddress!,
                                   b: b, t: t, heads: heads)
                if spec.rotary {
                    // the gradient of a rotation is the inverse rotation (q and k were rotated after the product)
                    Rotary.rotate(g.ptr(g.dqkv), cos: a.ptr(a.ropeCos), sin: a.ptr(a.ropeSin), n: n, stride: heads.qkvWidth,
                                  heads: heads.count + heads.kvCount, headDim: heads.headDim, inverse: true)
                }
                g.zero(g.dln)
                productBackward(w.qkv, layer: l, index: 0, dinp: g.ptr(g.dln), dout: g.ptr(g.dqkv), inp: a.ptr(a.ln1[l]), n: n)
                normBackward(dinp: dres, dout: g.ptr(g.dln), inp: residual, mean: a.ptr(a.ln1Mean[l]),
                             rstd: a.ptr(a.ln1Rstd[l]), weight: w.norm1, bias: w.norm1Bias, n: n)
            }
        }
        batch.tokens.withUnsafeBufferPointer { tok in
            batch.positions.withUnsafeBufferPointer { pos in
                Embedding.backward(dwte: grad(o.wte.index, o.wte.offset), dwpe: o.wpe.flatMap { grad($0.index, $0.offset) },
                                   dout: dres, tokens: tok.baseAddress!, positions: pos.baseAddress!, n: n, c: c)
            }
        }
    }
}
