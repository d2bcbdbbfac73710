import Compute

extension GPTModel {
    /// Adds the gradient of the last `forward(batch)`'s loss into the gradient buffer (call
    /// `zeroGradients` first; accumulation over micro-batches is just repeated forward/backward).
    /// Frozen tensors get no gradient. Overwrites the saved probabilities with the logits' gradient.
    /// - Complexity: ≈ 4·N + 8·L·C·T FLOP per token.
    public func backward(_ batch: TokenBatch) {
        let b = batch.batchSize, t = batch.sequenceLength
        let c = config.nEmbd, v = config.outputWidth, n = b * t
        guard let a = activations, a.b == b, a.t == t, a.forBackward else { preconditionFailure("backward needs the training forward of the same batch") }
        if a.grads == nil { a.grads = GradientScratch(config: config, b: b, t: t) }
        let g = a.grads!
        let o = offsets
        if config.maskedLMHead {
            guard let head = maskedLMState else { preconditionFailure("backward needs the training forward of the same batch") }
            g.zero(g.dresidual)
            maskedLMHeadBackward(head, into: g.ptr(g.dresidual))
            return trunkBackward(batch, a, g)
        }
        // dlogits in place of the probabilities, already scaled by the loss weights
        batch.targets.withUnsafeBufferPointer { tg in
            batch.weights.withUnsafeBufferPointer { w in
                CrossEntropy.softmaxBackward(dlogits: a.ptr(a.logits), probs: a.ptr(a.logits), targets: tg.baseAddress!,
                                             weights: w.baseAddress!, n: n, v: v)
            }
        }
        if spec.encoder {
            g.zero(g.dresidual)
            encoderHeadBackward(a, g, dlogits: a.ptr(a.logits), dPooled: nil)
        } else {
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
        }
        trunkBackward(batch, a, g)
    }

    /// Adds every block's and the embeddings' gradients, given d(last block output) in `g.dresidual`.
    /// The mirror of `runTrunk`'s loop: pre-norm blocks carry d residual through two buffers, post-norm
    /// blocks (whose output is a norm) through three.
    func trunkBackward(_ batch: TokenBatch, _ a: GPTActivations, _ g: GradientScratch) {
        let b = batch.batchSize, t = batch.sequenceLength, c = config.nEmbd, n = b * t, heads = config.heads
        let o = offsets, post = spec.postNorm
        var dres = g.ptr(g.dresidual), dnext = g.ptr(g.dextra)
        let dln = g.ptr(g.dln)
        batch.segments.withUnsafeBufferPointer { seg in
            a.lengths.withUnsafeBufferPointer { len in
                for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
                    let w = o.blocks[l]
                    let x = blockInput(a, layer: l)
                    let mlpIn = post ? a.ln1[l] : a.ln2[l]
                    // dres holds d output[l]. Post-norm: through norm2 into dln = d residual3, which flows to
                    // ln1 (the residual branch) and into the MLP. Pre-norm: dres is d residual3 already.
                    let dr3: UnsafeMutablePointer<Float>
                    if post {
                        g.zero(g.dln)
                        normBackward(dinp: dln, dout: dres, inp: a.ptr(a.residual3[l]), mean: a.ptr(a.ln2Mean[l]),
                                     rstd: a.ptr(a.ln2Rstd[l]), weight: w.norm2, bias: w.norm2Bias, n: n)
                        dr3 = dln
                    } else {
                        dr3 = dres
                    }
                    g.zero(g.dfchGelu)
                    productBackward(w.fcproj, layer: l, index: 3, dinp: g.ptr(g.dfchGelu), dout: dr3, inp: a.ptr(a.fchGelu[l]), n: n)
                    if spec.gatedMLP {
                        SwiGLU.backward(dinp: g.ptr(g.dfch), inp: a.ptr(a.fch[l]), dout: g.ptr(g.dfchGelu), n: n, f: config.intermediateSize)
                    } else if spec.erfGELU {
                        ErfGELU.backward(dinp: g.ptr(g.dfch), inp: a.ptr(a.fch[l]), dout: g.ptr(g.dfchGelu), n: n * config.intermediateSize)
                    } else {
                        GELU.backward(dinp: g.ptr(g.dfch), inp: a.ptr(a.fch[l]), dout: g.ptr(g.dfchGelu), n: n * config.intermediateSize)
                    }
                    // d residual2 (into dres, pre-norm: added to the residual path; post-norm: into dnext)
                    let dr2: UnsafeMutablePointer<Float>
                    if post {
                        // dln accumulates d ln1 = d residual3 + the MLP input's gradient; then through norm1
                        productBackward(w.fc, layer: l, index: 2, dinp: dln, dout: g.ptr(g.dfch), inp: a.ptr(mlpIn), n: n)
                        dnext.update(repeating: 0, count: n * c)
                        normBackward(dinp: dnext, dout: dln, inp: a.ptr(a.residual2[l]), mean: a.ptr(a.ln1Mean[l]),
                                     rstd: a.ptr(a.ln1Rstd[l]), weight: w.norm1, bias: w.norm1Bias, n: n)
                        dr2 = dnext
                    } else {
                        g.zero(g.dln)
                        productBackward(w.fc, layer: l, index: 2, dinp: dln, dout: g.ptr(g.dfch), inp: a.ptr(mlpIn), n: n)
                        normBackward(dinp: dres, dout: dln, inp: a.ptr(a.residual2[l]), mean: a.ptr(a.ln2Mean[l]),
                                     rstd: a.ptr(a.ln2Rstd[l]), weight: w.norm2, bias: w.norm2Bias, n: n)
                        dr2 = dres
                    }
                    // dr2 = d residual2: flows to the block input and through the attention
                    g.zero(g.datty)
                    productBackward(w.proj, layer: l, index: 1, dinp: g.ptr(g.datty), dout: dr2, inp: a.ptr(a.atty[l]), n: n)
                    g.zero(g.dqkv)
                    if spec.bidirectional {
                        BidirectionalAttention.backward(dqkv: g.ptr(g.dqkv), scratch: g.ptr(g.attRows), dout: g.ptr(g.datty),
                                                        qkv: a.ptr(a.qkv[l]), att: a.ptr(a.att[l]), lengths: len.baseAddress!,
                                                        b: b, t: t, heads: heads)
                    } else {
                        Attention.backward(dqkv: g.ptr(g.dqkv), scratch: g.ptr(g.attRows), dout: g.ptr(g.datty),
                                           qkv: a.ptr(a.qkv[l]), att: a.ptr(a.att[l]), segments: seg.baseAddress!,
                                           b: b, t: t, heads: heads)
                    }
                    if spec.rotary {
                        // the gradient of a rotation is the inverse rotation (q and k were rotated after the product)
                        Rotary.rotate(g.ptr(g.dqkv), cos: a.ptr(a.ropeCos), sin: a.ptr(a.ropeSin), n: n, stride: heads.qkvWidth,
                                      heads: heads.count + heads.kvCount, headDim: heads.headDim, inverse: true)
                    }
                    if post {
                        // the block input is the qkv product's input and the residual's: dr2 gets both
                        productBackward(w.qkv, layer: l, index: 0, dinp: dr2, dout: g.ptr(g.dqkv), inp: x, n: n)
                        swap(&dres, &dnext)  // dres = d block input
                    } else {
                        g.zero(g.dln)
                        productBackward(w.qkv, layer: l, index: 0, dinp: dln, dout: g.ptr(g.dqkv), inp: a.ptr(a.ln1[l]), n: n)
                        normBackward(dinp: dres, dout: dln, inp: x, mean: a.ptr(a.ln1Mean[l]),
                                     rstd: a.ptr(a.ln1Rstd[l]), weight: w.norm1, bias: w.norm1Bias, n: n)
                    }
                }
            }
        }
        var dembedded = dres
        if spec.encoder {
            // the embedding LayerNorm (normF), then the token-type rows
            dnext.update(repeating: 0, count: n * c)
            normBackward(dinp: dnext, dout: dres, inp: a.ptr(a.embedded), mean: a.ptr(a.lnfMean), rstd: a.ptr(a.lnfRstd),
                         weight: o.normF, bias: o.normFBias, n: n)
            dembedded = dnext
            if let types = o.tokenTypes, let dtypes = grad(types.index, types.offset) {
                for i in 0..<n { VectorMath.axpy(1, dembedded + i * c, dtypes + Int(batch.tokenTypes[i]) * c, c) }
            }
        }
        batch.tokens.withUnsafeBufferPointer { tok in
            batch.positions.withUnsafeBufferPointer { pos in
                Embedding.backward(dwte: grad(o.wte.index, o.wte.offset), dwpe: o.wpe.flatMap { grad($0.index, $0.offset) },
                                   dout: dembedded, tokens: tok.baseAddress!, positions: pos.baseAddress!, n: n, c: c)
            }
        }
    }

    /// An encoder head's gradient into `g.dresidual` (d last block output, which the caller zeroed):
    /// from a classifier's (B·T, num_labels) `dlogits` (only each row's first position is read) and/or
    /// `dPooled` (B, C), through tanh and the pooler's dense into each row's first position.
    func encoderHeadBackward(_ a: GPTActivations, _ g: GradientScratch, dlogits: UnsafePointer<Float>?, dPooled: UnsafePointer<Float>?) {
        guard let pooler = offsets.pooler else { return }
        let c = config.nEmbd, b = a.b, t = a.t, o = offsets
        let dpooled = g.ptr(g.dpooled)
        if let dPooled { dpooled.update(from: dPooled, count: b * c) } else { g.zero(g.dpooled) }
        if let labels = config.numLabels, let dlogits {
            let rows = g.ptr(g.dclassRows)
            for bi in 0..<b { (rows + bi * labels).update(from: dlogits + bi * t * labels, count: labels) }
            Matmul.linearBackward(dinp: dpooled, dweight: grad(o.head.index, o.head.offset),
                                  dbias: o.headBias.flatMap { grad($0.index, $0.offset) }, dout: rows, inp: a.ptr(a.pooled),
                                  weight: param(o.head.offset), n: b, c: c, oc: labels, outIn: true)
        }
        Tanh.backward(dinp: g.ptr(g.dpoolerDense), out: a.ptr(a.pooled), dout: dpooled, n: b * c)
        g.zero(g.dcls)
        Matmul.linearBackward(dinp: g.ptr(g.dcls), dweight: grad(pooler.weights[0].index, pooler.weight),
                              dbias: grad(pooler.biases[0].index, pooler.biases[0].offset), dout: g.ptr(g.dpoolerDense),
                              inp: a.ptr(a.cls), weight: param(pooler.weight), n: b, c: c, oc: c, outIn: true)
        let dres = g.ptr(g.dresidual)
        for bi in 0..<b { VectorMath.axpy(1, g.ptr(g.dcls) + bi * c, dres + bi * t * c, c) }
    }
}
