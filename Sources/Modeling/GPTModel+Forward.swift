import Compute

extension GPTModel {
    /// Runs the model over `batch` and returns the weighted loss Σ weights·(−log p(target)) (0 when no
    /// position has a target). Saves every activation backward needs; afterwards the activation arena
    /// holds softmax probabilities where the logits were, for positions with targets.
    ///
    /// Preconditions (programmer errors, checked once): T ≤ n_positions, ids inside the vocabulary and
    /// position table. `TrainingData` validates user data before it gets here.
    /// - Complexity: ≈ 2·N + 4·L·C·T FLOP per token (N = parameters excluding the position table).
    @discardableResult
    public func forward(_ batch: TokenBatch) -> Float {
        forward(batch, forBackward: true)
    }

    /// `forward`, or with `forBackward` false (evaluation) a pass that keeps one layer's activations at a
    /// time and no attention probabilities, which `backward` needs: same loss bits, a fraction of the memory.
    @discardableResult
    func forward(_ batch: TokenBatch, forBackward: Bool) -> Float {
        let a = runTrunk(batch, forBackward: forBackward)
        // BertForMaskedLM: the head runs on the positions with a target only (`maskedLMTokenLoss`)
        return config.maskedLMHead ? maskedLMTokenLoss(a, batch) : lossFromLogits(a, batch)
    }

    /// Forward pass that stops at the logits. `body` receives (B·T, V) logits, row-major. With several
    /// threads the rows are split across forward-only replicas (see `inferenceWorkers`).
    public func logits<R>(_ batch: TokenBatch, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        let workers = inferenceWorkers(rows: batch.batchSize)
        if workers.count > 1 { return try rowParallelLogits(batch, workers: workers, body) }
        let a = runTrunk(batch, forBackward: false)
        return try body(UnsafeBufferPointer(start: a.ptr(a.logits), count: a.logits.count))
    }

    /// Embeddings, blocks, final norm and the LM head; returns the activations holding logits (or, with
    /// `logitsOut`, writes the (B·T, V) logits there instead). With `forBackward` false the attention
    /// probabilities of every layer share one cache-sized slot (`Attention.forward`'s `keepProbabilities`),
    /// all layers share one set of buffers (`GPTActivations`), and `backward` must not follow.
    ///
    /// The one block loop of every family; `BlockSpec` decides the rest. Decoders: pre-norm blocks, causal
    /// attention within each packed document, final norm, LM (or `score`) head. Encoders (`spec.encoder`):
    /// token-type rows added to the embeddings and the embedding LayerNorm (`normF`), post-norm blocks,
    /// bidirectional attention over each row's real positions (the positions before the first segment
    /// −1), erf GELU, no final norm; then the pooler (dense + tanh) at every position and, for a
    /// classifier, `classifier` with its bias (read at each row's first position). An encoder without a
    /// classifier stops at the pooler: its hidden states and pooled rows are the output.
    func runTrunk(_ batch: TokenBatch, logitsOut: UnsafeMutablePointer<Float>? = nil, forBackward: Bool) -> GPTActivations {
        let b = batch.batchSize, t = batch.sequenceLength
        let c = config.nEmbd, v = config.outputWidth, n = b * t, heads = config.heads
        precondition(t <= config.nPositions, "sequence length \(t) exceeds n_positions \(config.nPositions)")
        precondition(batch.tokens.allSatisfy { $0 >= 0 && Int($0) < config.vocabSize }, "token id outside the vocabulary")
        precondition(batch.positions.allSatisfy { $0 >= 0 && Int($0) < config.nPositions }, "position outside n_positions")
        let a = activations(b: b, t: t, forBackward: forBackward)
        let o = offsets
        embed(batch, a)
        let post = spec.postNorm
        batch.segments.withUnsafeBufferPointer { seg in
            a.lengths.withUnsafeBufferPointer { len in
                for l in 0..<config.nLayer {
                    let w = o.blocks[l]
                    let x = blockInput(a, layer: l)
                    if !post {
                        normForward(out: a.ptr(a.ln1[l]), mean: a.ptr(a.ln1Mean[l]), rstd: a.ptr(a.ln1Rstd[l]), inp: x,
                                    weight: w.norm1, bias: w.norm1Bias, n: n)
                    }
                    productForward(w.qkv, layer: l, index: 0, out: a.ptr(a.qkv[l]), inp: post ? x : a.ptr(a.ln1[l]), n: n)
                    if spec.rotary {
                        // q heads then k heads are contiguous at the start of each row: rotate NH + NKV heads
                        Rotary.rotate(a.ptr(a.qkv[l]), cos: a.ptr(a.ropeCos), sin: a.ptr(a.ropeSin), n: n,
                                      stride: heads.qkvWidth, heads: heads.count + heads.kvCount, headDim: heads.headDim)
                    }
                    let att = a.ptr(a.att[forBackward ? l : 0])
                    if spec.bidirectional {
                        BidirectionalAttention.forward(out: a.ptr(a.atty[l]), att: att, qkv: a.ptr(a.qkv[l]), lengths: len.baseAddress!,
                                                       b: b, t: t, heads: heads, keepProbabilities: forBackward)
                    } else {
                        Attention.forward(out: a.ptr(a.atty[l]), att: att, qkv: a.ptr(a.qkv[l]), segments: seg.baseAddress!,
                                          b: b, t: t, heads: heads, keepProbabilities: forBackward)
                    }
                    productForward(w.proj, layer: l, index: 1, out: a.ptr(a.scratch), inp: a.ptr(a.atty[l]), n: n)
                    Residual.forward(out: a.ptr(a.residual2[l]), a: x, b: a.ptr(a.scratch), n: n * c)
                    // the MLP reads norm(residual2): norm1 after the attention (post-norm) or norm2 before the MLP
                    let mlpIn = post ? a.ln1[l] : a.ln2[l]
                    if post {
                        normForward(out: a.ptr(a.ln1[l]), mean: a.ptr(a.ln1Mean[l]), rstd: a.ptr(a.ln1Rstd[l]),
                                    inp: a.ptr(a.residual2[l]), weight: w.norm1, bias: w.norm1Bias, n: n)
                    } else {
                        normForward(out: a.ptr(a.ln2[l]), mean: a.ptr(a.ln2Mean[l]), rstd: a.ptr(a.ln2Rstd[l]),
                                    inp: a.ptr(a.residual2[l]), weight: w.norm2, bias: w.norm2Bias, n: n)
                    }
                    productForward(w.fc, layer: l, index: 2, out: a.ptr(a.fch[l]), inp: a.ptr(mlpIn), n: n)
                    if spec.gatedMLP {
                        SwiGLU.forward(out: a.ptr(a.fchGelu[l]), inp: a.ptr(a.fch[l]), n: n, f: config.intermediateSize)
                    } else if spec.erfGELU {
                        ErfGELU.forward(out: a.ptr(a.fchGelu[l]), inp: a.ptr(a.fch[l]), n: n * config.intermediateSize)
                    } else {
                        GELU.forward(out: a.ptr(a.fchGelu[l]), inp: a.ptr(a.fch[l]), n: n * config.intermediateSize)
                    }
                    productForward(w.fcproj, layer: l, index: 3, out: a.ptr(a.scratch), inp: a.ptr(a.fchGelu[l]), n: n)
                    Residual.forward(out: a.ptr(a.residual3[l]), a: a.ptr(post ? mlpIn : a.residual2[l]), b: a.ptr(a.scratch), n: n * c)
                    if post {
                        normForward(out: a.ptr(a.ln2[l]), mean: a.ptr(a.ln2Mean[l]), rstd: a.ptr(a.ln2Rstd[l]),
                                    inp: a.ptr(a.residual3[l]), weight: w.norm2, bias: w.norm2Bias, n: n)
                    }
                }
            }
        }
        if spec.encoder {
            encoderHeadForward(a, n: n, logitsOut: logitsOut)
            return a
        }
        normForward(out: a.ptr(a.lnf), mean: a.ptr(a.lnfMean), rstd: a.ptr(a.lnfRstd),
                    inp: a.ptr(a.residual3[config.nLayer - 1]), weight: o.normF, bias: o.normFBias, n: n)
        // head: logits (n, V) = lnf (n, C) · headᵀ (the token embedding when tied)
        Matmul.gemmParallel(transA: false, transB: true, m: n, n: v, k: c, a: a.ptr(a.lnf), lda: c,
                    b: param(o.head.offset), ldb: c, beta: 0, c: logitsOut ?? a.ptr(a.logits), ldc: v)
        return a
    }

    /// Block l's input: the embeddings for the first block, else block l − 1's output.
    @inline(__always)
    func blockInput(_ a: GPTActivations, layer l: Int) -> UnsafeMutablePointer<Float> {
        l == 0 ? a.ptr(a.encoded) : blockOutput(a, layer: l - 1)
    }

    /// Block l's output: the last residual sum, normed when the blocks are post-norm.
    @inline(__always)
    func blockOutput(_ a: GPTActivations, layer l: Int) -> UnsafeMutablePointer<Float> {
        spec.postNorm ? a.ptr(a.ln2[l]) : a.ptr(a.residual3[l])
    }

    /// Token (+ learned position) rows into `encoded`; rotary tables; encoders add the token-type rows
    /// and normalize with `normF`, and take each row's real length from its segments.
    func embed(_ batch: TokenBatch, _ a: GPTActivations) {
        let n = batch.batchSize * batch.sequenceLength, t = batch.sequenceLength, c = config.nEmbd, o = offsets
        let rows = spec.encoder ? a.ptr(a.embedded) : a.ptr(a.encoded)
        batch.tokens.withUnsafeBufferPointer { tok in
            batch.positions.withUnsafeBufferPointer { pos in
                Embedding.forward(out: rows, tokens: tok.baseAddress!, positions: pos.baseAddress!,
                                  wte: param(o.wte.offset), wpe: o.wpe.map { param($0.offset) }, n: n, c: c)
                if spec.rotary {
                    Rotary.table(cos: a.ptr(a.ropeCos), sin: a.ptr(a.ropeSin), positions: pos.baseAddress!,
                                 inverseFrequencies: ropeFrequencies, n: n)
                }
            }
        }
        guard spec.encoder, let typeTable = o.tokenTypes else { return }
        precondition(batch.tokenTypes.allSatisfy { $0 >= 0 && Int($0) < config.typeVocabSize }, "token type outside type_vocab_size")
        let types = param(typeTable.offset)
        for i in 0..<n { VectorMath.axpy(1, types + Int(batch.tokenTypes[i]) * c, rows + i * c, c) }
        normForward(out: a.ptr(a.encoded), mean: a.ptr(a.lnfMean), rstd: a.ptr(a.lnfRstd), inp: rows,
                    weight: o.normF, bias: o.normFBias, n: n)
        for bi in 0..<batch.batchSize {
            var len = 0
            while len < t, batch.segments[bi * t + len] >= 0 { len += 1 }
            precondition(len >= 1, "row \(bi) of an encoder batch has no real position")
            a.lengths[bi] = Int32(len)
        }
    }

    /// An encoder's pooler on each row's first position ([CLS]): cls (B, C) gathered from the last block,
    /// pooled = tanh(dense(cls)), and for a classifier the (B, num_labels) logits pooled · classifierᵀ +
    /// bias, written at each row's first position of the (B·T, num_labels) logits (every other row 0).
    /// - Complexity: 2·B·C·(C + num_labels) FLOP.
    func encoderHeadForward(_ a: GPTActivations, n: Int, logitsOut: UnsafeMutablePointer<Float>?) {
        guard let pooler = offsets.pooler else { return }
        let c = config.nEmbd, b = a.b, t = a.t
        let hidden = blockOutput(a, layer: config.nLayer - 1), cls = a.ptr(a.cls)
        for bi in 0..<b { (cls + bi * c).update(from: hidden + bi * t * c, count: c) }
        Matmul.linearForward(out: a.ptr(a.poolerDense), inp: cls, weight: param(pooler.weight), bias: pooler.bias.map { param($0) },
                             n: b, c: c, oc: c, outIn: true)
        Tanh.forward(out: a.ptr(a.pooled), inp: a.ptr(a.poolerDense), n: b * c)
        guard let labels = config.numLabels else { return }
        let rows = a.ptr(a.classRows), logits = logitsOut ?? a.ptr(a.logits)
        Matmul.linearForward(out: rows, inp: a.ptr(a.pooled), weight: param(offsets.head.offset),
                             bias: offsets.headBias.map { param($0.offset) }, n: b, c: c, oc: labels, outIn: true)
        logits.update(repeating: 0, count: n * labels)
        for bi in 0..<b { (logits + bi * t * labels).update(from: rows + bi * labels, count: labels) }
    }

    /// Softmax in place over the logits, per-position cross-entropy, weighted sum.
    func lossFromLogits(_ a: GPTActivations, _ batch: TokenBatch) -> Float {
        let n = batch.batchSize * batch.sequenceLength, v = config.outputWidth
        precondition(!spec.encoder || config.numLabels != nil, "an encoder's loss needs a classification head (num_labels)")
        precondition(batch.targets.allSatisfy { $0 < v }, "target id outside the head's classes (vocabulary or labels)")
        Softmax.forward(probs: a.ptr(a.logits), logits: a.ptr(a.logits), n: n, v: v)
        batch.targets.withUnsafeBufferPointer { tg in
            CrossEntropy.forward(losses: a.ptr(a.losses), probs: a.ptr(a.logits), targets: tg.baseAddress!, n: n, v: v)
        }
        var loss = 0.0
        let losses = a.ptr(a.losses)
        for i in 0..<n where batch.weights[i] != 0 { loss += Double(batch.weights[i]) * Double(losses[i]) }
        return Float(loss)
    }

    /// Per-position −log p(target) of the last `forward` (B·T values; 0 where the target is −1).
    public func withPositionLosses<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        guard let a = activations else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: a.ptr(a.losses), count: a.losses.count))
    }
}
