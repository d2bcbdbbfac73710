import Compute

extension GPTModel {
    /// Adds the gradient of the last `forward(batch)`'s loss into the gradient buffer (call
    /// `zeroGradients` first; accumulation over micro-batches is just repeated forward/backward).
    /// Frozen tensors get no gradient. Overwrites the saved probabilities with the logits' gradient.
    /// - Complexity: ≈ 4·N + 8·L·C·T FLOP per token.
    public func backward(_ batch: TokenBatch) {
        let b = batch.batchSize, t = batch.sequenceLength
        let c = config.nEmbd, nh = config.nHead, v = config.vocabSize, n = b * t
        guard let a = activations, a.b == b, a.t == t else { preconditionFailure("backward needs the forward of the same batch") }
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
        // tied head: dlnf = dlogits · wte; dwte += dlogitsᵀ · lnf
        Matmul.gemmParallel(transA: false, transB: false, m: n, n: c, k: v, a: a.ptr(a.logits), lda: v,
                    b: param(o.wte.offset), ldb: c, beta: 0, c: g.ptr(g.dln), ldc: c)
        if let dwte = grad(o.wte.index, o.wte.offset) {
            Matmul.gemmParallel(transA: true, transB: false, m: v, n: c, k: n, a: a.ptr(a.logits), lda: v,
                        b: a.ptr(a.lnf), ldb: c, beta: 1, c: dwte, ldc: c)
        }
        g.zero(g.dresidual)
        LayerNorm.backward(dinp: g.ptr(g.dresidual), dweight: grad(o.lnfw.index, o.lnfw.offset),
                           dbias: grad(o.lnfb.index, o.lnfb.offset), dout: g.ptr(g.dln),
                           inp: a.ptr(a.residual3[config.nLayer - 1]), weight: param(o.lnfw.offset),
                           mean: a.ptr(a.lnfMean), rstd: a.ptr(a.lnfRstd), n: n, c: c)
        let dres = g.ptr(g.dresidual)
        batch.segments.withUnsafeBufferPointer { seg in
            for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
                let w = o.blocks[l]
                let residual = l == 0 ? a.ptr(a.encoded) : a.ptr(a.residual3[l - 1])
                // dres holds d residual3[l]: flows to residual2 and into the MLP projection
                g.zero(g.dfchGelu)
                Matmul.linearBackward(dinp: g.ptr(g.dfchGelu), dweight: grad(w.fcprojw.index, w.fcprojw.offset),
                                      dbias: grad(w.fcprojb.index, w.fcprojb.offset), dout: dres,
                                      inp: a.ptr(a.fchGelu[l]), weight: param(w.fcprojw.offset), n: n, c: 4 * c, oc: c)
                adapterBackward(layer: l, slot: 3, dinp: g.ptr(g.dfchGelu), dout: dres, inp: a.ptr(a.fchGelu[l]), n: n)
                GELU.backward(dinp: g.ptr(g.dfch), inp: a.ptr(a.fch[l]), dout: g.ptr(g.dfchGelu), n: n * 4 * c)
                g.zero(g.dln)
                Matmul.linearBackward(dinp: g.ptr(g.dln), dweight: grad(w.fcw.index, w.fcw.offset),
                                      dbias: grad(w.fcb.index, w.fcb.offset), dout: g.ptr(g.dfch),
                                      inp: a.ptr(a.ln2[l]), weight: param(w.fcw.offset), n: n, c: c, oc: 4 * c)
                adapterBackward(layer: l, slot: 2, dinp: g.ptr(g.dln), dout: g.ptr(g.dfch), inp: a.ptr(a.ln2[l]), n: n)
                LayerNorm.backward(dinp: dres, dweight: grad(w.ln2w.index, w.ln2w.offset),
                                   dbias: grad(w.ln2b.index, w.ln2b.offset), dout: g.ptr(g.dln),
                                   inp: a.ptr(a.residual2[l]), weight: param(w.ln2w.offset),
                                   mean: a.ptr(a.ln2Mean[l]), rstd: a.ptr(a.ln2Rstd[l]), n: n, c: c)
                // dres now holds d residual2[l]: flows to the block input and the attention projection
                g.zero(g.datty)
                Matmul.linearBackward(dinp: g.ptr(g.datty), dweight: grad(w.projw.index, w.projw.offset),
                                      dbias: grad(w.projb.index, w.projb.offset), dout: dres,
                                      inp: a.ptr(a.atty[l]), weight: param(w.projw.offset), n: n, c: c, oc: c)
                adapterBackward(layer: l, slot: 1, dinp: g.ptr(g.datty), dout: dres, inp: a.ptr(a.atty[l]), n: n)
                g.zero(g.dqkv)
                Attention.backward(dqkv: g.ptr(g.dqkv), scratch: g.ptr(g.attRows), dout: g.ptr(g.datty),
                                   qkv: a.ptr(a.qkv[l]), att: a.ptr(a.att[l]), segments: seg.baseAddress!,
                                   b: b, t: t, c: c, nh: nh)
                g.zero(g.dln)
                Matmul.linearBackward(dinp: g.ptr(g.dln), dweight: grad(w.qkvw.index, w.qkvw.offset),
                                      dbias: grad(w.qkvb.index, w.qkvb.offset), dout: g.ptr(g.dqkv),
                                      inp: a.ptr(a.ln1[l]), weight: param(w.qkvw.offset), n: n, c: c, oc: 3 * c)
                adapterBackward(layer: l, slot: 0, dinp: g.ptr(g.dln), dout: g.ptr(g.dqkv), inp: a.ptr(a.ln1[l]), n: n)
                LayerNorm.backward(dinp: dres, dweight: grad(w.ln1w.index, w.ln1w.offset),
                                   dbias: grad(w.ln1b.index, w.ln1b.offset), dout: g.ptr(g.dln),
                                   inp: residual, weight: param(w.ln1w.offset),
                                   mean: a.ptr(a.ln1Mean[l]), rstd: a.ptr(a.ln1Rstd[l]), n: n, c: c)
            }
        }
        batch.tokens.withUnsafeBufferPointer { tok in
            batch.positions.withUnsafeBufferPointer { pos in
                Embedding.backward(dwte: grad(o.wte.index, o.wte.offset), dwpe: grad(o.wpe.index, o.wpe.offset),
                                   dout: dres, tokens: tok.baseAddress!, positions: pos.baseAddress!, n: n, c: c)
            }
        }
    }
}
