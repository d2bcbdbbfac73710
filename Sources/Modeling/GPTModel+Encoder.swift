import Compute

/// The encoder entry points of a BERT-family model (`BlockSpec.encoder`) for callers that hold an
/// `EncoderBatch` (padded rows with type ids and lengths) rather than a `TokenBatch`: they run the one
/// block loop (`runTrunk`, `trunkBackward`) and read its hidden states and pooled vectors.
///
///     model.encode(batch)                                  // EncoderBatch: padded ids, type ids, lengths
///     model.withHiddenStates { h in … }                    // (B·T, C) last block's output
///     model.withPooled { p in … }                          // (B, C) tanh(dense(h[CLS]))
///     model.encoderBackward(batch, dPooled: g)             // adds parameter gradients
extension GPTModel {
    /// Runs embeddings, the blocks and the pooler over `batch`. With `forBackward`, keeps every layer's
    /// activations so `encoderBackward` can follow.
    /// - Complexity: ≈ 2·N + 4·L·C·T FLOP per token (N = parameters outside the embeddings).
    public func encode(_ batch: EncoderBatch, forBackward: Bool = false) {
        precondition(spec.encoder, "encode(_:) runs encoders (model_type bert)")
        _ = runTrunk(batch.tokenBatch, forBackward: forBackward)
    }

    /// The last block's output of the last `encode`, (B·T, C) row-major (padding rows included; HF
    /// computes them the same way, attending to the real positions).
    public func withHiddenStates<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        guard let a = activations, spec.encoder else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: blockOutput(a, layer: config.nLayer - 1), count: a.b * a.t * config.nEmbd))
    }

    /// The pooled vectors of the last `encode`, (B, C): tanh(pooler.dense(h[CLS])), BERT's `pooler_output`.
    public func withPooled<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        guard let a = activations, config.hasPooler else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeBufferPointer(start: a.ptr(a.pooled), count: a.pooled.count))
    }

    /// Adds into the gradient buffer the gradient of a loss whose gradient with respect to the pooled
    /// vectors is `dPooled` (B·C; nil when only the hidden states feed the loss) and with respect to the
    /// hidden states `dHidden` (B·T·C; nil for none), for the last `encode(batch, forBackward: true)`.
    /// Frozen tensors get none (call `zeroGradients` first).
    /// - Complexity: ≈ 2× the forward's FLOP.
    public func encoderBackward(_ batch: EncoderBatch, dPooled: [Float]?, dHidden: [Float]? = nil) {
        let b = batch.batchSize, t = batch.sequenceLength, c = config.nEmbd, n = b * t
        guard let a = activations, a.b == b, a.t == t, a.forBackward else {
            preconditionFailure("encoderBackward needs encode(batch, forBackward: true) of the same batch first")
        }
        precondition((dPooled?.count ?? b * c) == b * c && (dHidden?.count ?? n * c) == n * c, "dPooled is (B, C), dHidden (B·T, C)")
        precondition(dPooled == nil || offsets.pooler != nil, "this model has no pooler")
        if a.grads == nil { a.grads = GradientScratch(config: config, b: b, t: t) }
        let g = a.grads!
        if let dHidden { dHidden.withUnsafeBufferPointer { g.ptr(g.dresidual).update(from: $0.baseAddress!, count: n * c) } } else { g.zero(g.dresidual) }
        if let dPooled {
            dPooled.withUnsafeBufferPointer { encoderHeadBackward(a, g, dlogits: nil, dPooled: $0.baseAddress!) }
        }
        trunkBackward(batch.tokenBatch, a, g)
    }
}

extension EncoderBatch {
    /// The same rows as a `TokenBatch`: positions 0 ..< T, segment 0 on real positions and −1 on padding
    /// (how `runTrunk` finds each row's length), no targets.
    var tokenBatch: TokenBatch {
        var out = TokenBatch(batchSize: batchSize, sequenceLength: sequenceLength)
        out.tokens = tokens
        out.tokenTypes = tokenTypes
        for bi in 0..<batchSize {
            for i in Int(lengths[bi])..<sequenceLength { out.segments[bi * sequenceLength + i] = -1 }
        }
        return out
    }
}
