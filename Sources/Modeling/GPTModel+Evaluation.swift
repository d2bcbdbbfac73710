import Foundation

extension GPTModel {
    /// Mean loss and perplexity over every loss-carrying target of `data`, in row order, `batchSize`
    /// rows per forward (the last batch is padded with weightless rows).
    /// - Throws: `.invalidData` when `data` is longer than `n_positions` or has no targets.
    public func evaluate(_ data: TrainingData, batchSize: Int = 8) throws(ModelingError) -> EvaluationResult {
        guard data.sequenceLength <= config.nPositions else {
            throw .invalidData("sequence_len \(data.sequenceLength) is longer than the model's n_positions \(config.nPositions)")
        }
        let bs = max(1, min(batchSize, data.rowCount))
        var batch = TokenBatch(batchSize: bs, sequenceLength: data.sequenceLength)
        var total = 0.0, count = 0
        var row = 0
        while row < data.rowCount {
            for slot in 0..<bs {
                data.fill(&batch, slot: slot, row: min(row + slot, data.rowCount - 1))
                if row + slot >= data.rowCount {
                    for p in 0..<data.sequenceLength { batch.weights[slot * data.sequenceLength + p] = 0 }
                }
            }
            positionLosses(batch) { losses in
                for i in 0..<losses.count where batch.weights[i] != 0 { total += Double(losses[i]); count += 1 }
            }
            row += bs
        }
        guard count > 0 else { throw .invalidData("no token carries loss, so there is nothing to evaluate") }
        return EvaluationResult(meanLoss: total / Double(count), targetTokens: count)
    }

    /// Scores `continuation` after `context` in one forward pass. When the two together exceed
    /// n_positions + 1 tokens, the context is cut from the left.
    /// - Throws: `.invalidData` for an empty continuation, one longer than n_positions, or ids outside the vocabulary.
    public func logLikelihood(context: [Int32], continuation: [Int32]) throws(ModelingError) -> ContinuationScore {
        guard config.numLabels == nil else { throw .invalidData("a sequence classifier has no language-model head to score text with") }
        guard !continuation.isEmpty, continuation.count <= config.nPositions else {
            throw .invalidData("a continuation must have 1...\(config.nPositions) tokens, got \(continuation.count)")
        }
        guard !context.isEmpty else { throw .invalidData("scoring needs at least one context token (e.g. BOS/EOS)") }
        var seq = context + continuation
        if seq.count > config.nPositions + 1 { seq.removeFirst(seq.count - config.nPositions - 1) }
        if let bad = seq.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw .invalidData("token id \(bad) is outside the model's vocabulary of \(config.vocabSize)")
        }
        let t = seq.count - 1, first = t - continuation.count
        var batch = TokenBatch(batchSize: 1, sequenceLength: t)
        for p in 0..<t {
            batch.tokens[p] = seq[p]
            if p >= first { batch.targets[p] = seq[p + 1]; batch.weights[p] = 1 }
        }
        let loss = forward(batch, forBackward: false)
        // the activation arena now holds softmax probabilities per position
        let a = activations!
        let v = config.vocabSize
        var greedy = true
        let probs = a.ptr(a.logits)
        for p in first..<t {
            let row = probs + p * v
            var best = 0
            for j in 1..<v where row[j] > row[best] { best = j }
            if best != Int(seq[p + 1]) { greedy = false }
        }
        var sum = 0.0
        withPositionLosses { l in for p in first..<t { sum += Double(l[p]) } }
        _ = loss
        return ContinuationScore(logLikelihood: -sum, isGreedy: greedy, tokenCount: continuation.count)
    }
}
