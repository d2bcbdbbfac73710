import Compute

/// The encoder pass of a BERT-family model (`BlockSpec.encoder`): the same parameter layout, norms and
/// products (`normForward`, `productForward`, LoRA included) as the decoders, arranged post-LN with
/// bidirectional attention over each row's real positions, erf GELU, and the pooler.
///
///     model.encode(batch)                                  // EncoderBatch: padded ids, type ids, lengths
///     model.withHiddenStates { h in … }                    // (B·T, C) last block's output
///     model.withPooled { p in … }                          // (B, C) tanh(dense(h[CLS]))
///     model.encoderBackward(batch, dPooled: g)             // adds parameter gradients
extension GPTModel {
    /// Runs embeddings, the blocks and the pooler over `batch`. With `forBackward`, keeps every layer's
    /// attention probabilities so `encoderBackward` can follow.
    /// - Complexity: ≈ 2·N + 4·L·C·T FLOP per token (N = parameters outside the embeddings).
    public func encode(_ batch: EncoderBatch, forBackward: Bool = false) {
        precondition(spec.encoder, "encode(_:) runs encoders (model_type bert)")
        let b = batch.batchSize, t = batch.sequenceLength, c = config.nEmbd, n = b * t, heads = config.heads
        precondition(t <= config.nPositions, "sequence length \(t) exceeds max_position_embeddings \(config.nPositions)")
        precondition(batch.tokens.allSatisfy { $0 >= 0 && Int($0) < config.vocabSize }, "token id outside the vocabulary")
        precondition(batch.tokenTypes.allSatisfy { $0 >= 0 && Int($0) < config.typeVocabSize }, "token type outside type_vocab_size")
        let a = encoderActivations(b: b, t: t, training: forBackward)
        let o = offsets
        let positions = (0..<n).map { Int32($0 % t) }
        batch.tokens.withUnsafeBufferPointer { tok in
            positions.withUnsafeBufferPointer { pos in
                Embedding.forward(out: a.ptr(a.embedded), tokens: tok.baseAddress!, positions: pos.baseAddress!,
                                  wte: param(o.wte.offset), wpe: o.wpe.map { param($0.offset) }, n: n, c: c)
            }
        }
        let types = param(o.tokenTypes!.offset), embedded = a.ptr(a.embedded)
        for i in 0..<n { VectorMath.axpy(1, types + Int(batch.tokenTypes[i]) * c, embedded + i * c, c) }
        normForward(out: a.ptr(a.encoded), mean: a.ptr(a.encodedMean), rstd: a.ptr(a.encodedRstd), inp: embedded,
                    weight: o.normF, bias: o.normFBias, n: n)
        batch.lengths.withUnsafeBufferPointer { len in
            for l in 0..<config.nLayer {
                let w = o.blocks[l]
                let x = l == 0 ? a.ptr(a.encoded) : a.ptr(a.ln2[l - 1])
                productForward(w.qkv, layer: l, index: 0, out: a.ptr(a.qkv[l]), inp: x, n: n)
                BidirectionalAttention.forward(out: a.ptr(a.atty[l]), att: a.ptr(a.att[l]), qkv: a.ptr(a.qkv[l]),
                                               lengths: len.baseAddress!, b: b, t: t, heads: heads, keepProbabilities: forBackward)
                productForward(w.proj, layer: l, index: 1, out: a.ptr(a.scratch), inp: a.ptr(a.atty[l]), n: n)
                Residual.forward(out: a.ptr(a.residual2[l]), a: x, b: a.ptr(a.scratch), n: n * c)
                normForward(out: a.ptr(a.ln1[l]), mean: a.ptr(a.ln1Mean[l]), rstd: a.ptr(a.ln1Rstd[l]), inp: a.ptr(a.residual2[l]),
                            weight: w.norm1, bias: w.norm1Bias, n: n)
                productForward(w.fc, layer: l, index: 2, out: a.ptr(a.fch[l]), inp: a.ptr(a.ln1[l]), n: n)
                ErfGELU.forward(out: a.ptr(a.fchGelu[l]), inp: a.ptr(a.fch[l]), n: n * config.intermediateSize)
                productForward(w.fcproj, layer: l, index: 3, out: a.ptr(a.scratch), inp: a.ptr(a.fchGelu[l]), n: n)
                Residual.forward(out: a.ptr(a.residual3[l]), a: a.ptr(a.ln1[l]), b: a.ptr(a.scratch), n: n * c)
                normForward(out: a.ptr(a.ln2[l]), mean: a.ptr(a.ln2Mean[l]), rstd: a.ptr(a.ln2Rstd[l]), inp: a.ptr(a.residual3[l]),
                            weight: w.norm2, bias: w.norm2Bias, n: n)
            }
        }
        // pooler: tanh(dense(h[CLS])) on each row's first position
        let hidden = a.ptr(a.ln2[config.nLayer - 1]), cls = a.ptr(a.cls)
        for bi in 0..<b { (cls + bi * c).update(from: hidden + bi * t * c, count: c) }
        guard let pooler = o.pooler else { return }  // BertForMaskedLM has no pooler
        Matmul.linearForward(out: a.ptr(a.poolerDense), inp: cls, weight: param(pooler.weight), bias: pooler.bias.map { param($0) },
                             n: b, c: c, oc: c, outIn: true)
        Tanh.forward(out: a.ptr(a.pooled), inp: a.ptr(a.poolerDense), n: b * c)
    }

    /// The last block's output of the last `encode`, (B·T, C) row-major (padding rows included; HF
    /// computes them the same way, attending to the real positions).
    public func withHiddenStates<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        guard let a = encoderActivations else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        let v = a.ln2[config.nLayer - 1]
        return try body(UnsafeBufferPointer(start: a.ptr(v), count: v.count))
    }

    /// The pooled vectors of the last `encode`, (B, C): tanh(pooler.dense(h[CLS])), BERT's `pooler_output`.
    public func withPooled<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        guard let a = encoderActivations else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: a.ptr(a.pooled), count: a.pooled.count))
    }

    /// Adds into the gradient buffer the gradient of a loss whose gradient with respect to the pooled
    /// vectors is `dPooled` (B·C; nil when only the hidden states feed the loss) and with respect to the
    /// hidden states `dHidden` (B·T·C; nil for none),
    /// for the last `encode(batch, forBackward: true)`. Frozen tensors get none (call `zeroGradients` first).
    /// - Complexity: ≈ 2× the forward's FLOP.
    public func encoderBackward(_ batch: EncoderBatch, dPooled: [Float]?, dHidden: [Float]? = nil) {
        let b = batch.batchSize, t = batch.sequenceLength, c = config.nEmbd, n = b * t, f = config.intermediateSize
        guard let a = encoderActivations, a.b == b, a.t == t, a.training else {
            preconditionFailure("encoderBackward needs encode(batch, forBackward: true) of the same batch first")
        }
        precondition((dPooled?.count ?? b * c) == b * c && (dHidden?.count ?? n * c) == n * c, "dPooled is (B, C), dHidden (B·T, C)")
        precondition(dPooled == nil || offsets.pooler != nil, "this model has no pooler")
        let o = offsets
        a.zero(a.dcls)
        if let dPooled, let pooler = o.pooler {
            // pooler: through tanh, the dense, into the [CLS] rows
            dPooled.withUnsafeBufferPointer { Tanh.backward(dinp: a.gptr(a.dpoolerDense), out: a.ptr(a.pooled), dout: $0.baseAddress!, n: b * c) }
            Matmul.linearBackward(dinp: a.gptr(a.dcls), dweight: grad(pooler.weights[0].index, pooler.weight),
                                  dbias: grad(pooler.biases[0].index, pooler.biases[0].offset), dout: a.gptr(a.dpoolerDense),
                                  inp: a.ptr(a.cls), weight: param(pooler.weight), n: b, c: c, oc: c, outIn: true)
        }
        var dres = a.gptr(a.dA), dmid = a.gptr(a.dB), dnext = a.gptr(a.dC)
        if let dHidden { dHidden.withUnsafeBufferPointer { dres.update(from: $0.baseAddress!, count: n * c) } } else { a.zero(a.dA) }
        for bi in 0..<b { VectorMath.axpy(1, a.gptr(a.dcls) + bi * c, dres + bi * t * c, c) }
        batch.lengths.withUnsafeBufferPointer { len in
            for l in stride(from: config.nLayer - 1, through: 0, by: -1) {
                let w = o.blocks[l]
                let x = l == 0 ? a.ptr(a.encoded) : a.ptr(a.ln2[l - 1])
                // dres = d ln2[l] → d residual3 (into dmid), which flows to ln1 and into the MLP
                dmid.update(repeating: 0, count: n * c)
                normBackward(dinp: dmid, dout: dres, inp: a.ptr(a.residual3[l]), mean: a.ptr(a.ln2Mean[l]), rstd: a.ptr(a.ln2Rstd[l]),
                             weight: w.norm2, bias: w.norm2Bias, n: n)
                a.zero(a.dfchGelu)
                productBackward(w.fcproj, layer: l, index: 3, dinp: a.gptr(a.dfchGelu), dout: dmid, inp: a.ptr(a.fchGelu[l]), n: n)
                ErfGELU.backward(dinp: a.gptr(a.dfch), inp: a.ptr(a.fch[l]), dout: a.gptr(a.dfchGelu), n: n * f)
                // dmid now accumulates d ln1 = d residual3 + the MLP input's gradient
                productBackward(w.fc, layer: l, index: 2, dinp: dmid, dout: a.gptr(a.dfch), inp: a.ptr(a.ln1[l]), n: n)
                dnext.update(repeating: 0, count: n * c)
                normBackward(dinp: dnext, dout: dmid, inp: a.ptr(a.residual2[l]), mean: a.ptr(a.ln1Mean[l]), rstd: a.ptr(a.ln1Rstd[l]),
                             weight: w.norm1, bias: w.norm1Bias, n: n)
                // dnext = d residual2: flows to the block input and through the attention
                a.zero(a.datty)
                productBackward(w.proj, layer: l, index: 1, dinp: a.gptr(a.datty), dout: dnext, inp: a.ptr(a.atty[l]), n: n)
                a.zero(a.dqkv)
                BidirectionalAttention.backward(dqkv: a.gptr(a.dqkv), scratch: a.gptr(a.dattRows), dout: a.gptr(a.datty),
                                                qkv: a.ptr(a.qkv[l]), att: a.ptr(a.att[l]), lengths: len.baseAddress!, b: b, t: t,
                                                heads: config.heads)
                productBackward(w.qkv, layer: l, index: 0, dinp: dnext, dout: a.gptr(a.dqkv), inp: x, n: n)
                swap(&dres, &dnext)  // dres = d block input
            }
        }
        // embedding LayerNorm, then the three tables
        dmid.update(repeating: 0, count: n * c)
        normBackward(dinp: dmid, dout: dres, inp: a.ptr(a.embedded), mean: a.ptr(a.encodedMean), rstd: a.ptr(a.encodedRstd),
                     weight: o.normF, bias: o.normFBias, n: n)
        let positions = (0..<n).map { Int32($0 % t) }
        batch.tokens.withUnsafeBufferPointer { tok in
            positions.withUnsafeBufferPointer { pos in
                Embedding.backward(dwte: grad(o.wte.index, o.wte.offset), dwpe: o.wpe.flatMap { grad($0.index, $0.offset) },
                                   dout: dmid, tokens: tok.baseAddress!, positions: pos.baseAddress!, n: n, c: c)
            }
        }
        if let types = o.tokenTypes, let dtypes = grad(types.index, types.offset) {
            for i in 0..<n { VectorMath.axpy(1, dmid + i * c, dtypes + Int(batch.tokenTypes[i]) * c, c) }
        }
    }

    /// Activations for (b, t), reallocated when the shape or the training flag changes.
    func encoderActivations(b: Int, t: Int, training: Bool) -> EncoderActivations {
        if let a = encoderActivations, a.b == b, a.t == t, a.training == training { return a }
        let a = EncoderActivations(config: config, b: b, t: t, training: training)
        encoderActivations = a
        return a
    }
}
