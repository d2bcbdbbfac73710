import Compute
import Foundation

/// Sequence classification on the one model definition: a classifier is a `GPTModel` whose config has
/// `numLabels`, so its head is `score.weight` (num_labels, C) instead of the LM head and its loss is
/// the cross-entropy of one target per row, the class id at the pooled position (see
/// `TrainingData.classification`). Forward, backward, freezing, LoRA, checkpoints and the trainer are
/// the language model's, unchanged: the head's output is just num_labels wide instead of V.
extension GPTModel {
    /// A classifier over this model's trunk: every tensor but the LM head copied, `score.weight`
    /// drawn from N(0, initializer_range²) with `seed` (transformers' `_init_weights` for the head). A
    /// BertForMaskedLM drops its `cls.predictions` head and draws a pooler (weight from the same generator,
    /// bias 0), as BertForSequenceClassification.from_pretrained does for a masked-LM checkpoint.
    /// With `keepHead`, a model that is a classifier of `numLabels` classes already keeps its head (the
    /// caller has checked that the labels are the same, in the same order).
    /// - Throws: `.invalidConfig` for num_labels outside 2...65,536.
    /// - Complexity: one copy of the parameters.
    public func withClassificationHead(numLabels: Int, seed: UInt64, keepHead: Bool = false) throws(ModelingError) -> GPTModel {
        var c = config
        c.numLabels = numLabels
        c.maskedLMHead = false  // a BertForMaskedLM gives up its cls.predictions head and gets a new pooler
        let out = try GPTModel(config: c)
        let source = parameterValues()
        var rng = SeededGenerator(seed: seed)
        out.withParameters { dst in
            for p in out.layout.parameters {
                if let q = layout.info(p.name), q.shape == p.shape, keepHead || q.role != .head {
                    for i in 0..<p.count { dst[p.offset + i] = source[q.offset + i] }
                } else if p.shape.count > 1 {  // a new bias (BERT's classifier.bias, pooler.dense.bias) stays 0, as in HF
                    rng.fillNormal(dst.baseAddress! + p.offset, n: p.count, std: config.initializerRange)
                }
            }
        }
        return out
    }

    /// The classifier's logits (num_labels per text) for `texts` (token ids, each 1...n_positions long),
    /// read at each text's pooled position (`config.pooling`). Texts run `batchSize` at a time, right-padded
    /// to the longest text of their batch (decoders need no mask: see `TrainingData.classification`;
    /// encoders mask the padding). `tokenTypes`: encoders' segment ids of text pairs (nil: all 0).
    /// - Throws: `.invalidData` when this model is not a classifier or a text is empty, too long or
    ///   holds ids outside the vocabulary.
    /// - Complexity: one forward pass per batch.
    public func classLogits(_ texts: [[Int32]], tokenTypes: [[Int32]]? = nil, batchSize: Int = 8) throws(ModelingError) -> [[Float]] {
        guard let labels = config.numLabels else { throw .invalidData("this model has no classification head (num_labels)") }
        var out: [[Float]] = []
        out.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let chunk = texts[start..<min(start + max(1, batchSize), texts.count)]
            let t = chunk.map(\.count).max()!
            let types = tokenTypes.map { Array($0[chunk.indices]) }
            let data = try TrainingData.classification(texts: Array(chunk), labels: [Int](repeating: 0, count: chunk.count),
                                                       sequenceLength: t, vocabSize: config.vocabSize, numLabels: labels,
                                                       pooling: config.pooling, tokenTypes: types)
            var batch = TokenBatch(batchSize: chunk.count, sequenceLength: t)
            for r in 0..<chunk.count { data.fill(&batch, slot: r, row: r) }
            logits(batch) { all in
                for (r, text) in chunk.enumerated() {
                    let row = (r * t + (config.pooling == .firstToken ? 0 : text.count - 1)) * labels
                    out.append(Array(all[row..<(row + labels)]))
                }
            }
            start += chunk.count
        }
        return out
    }

    /// Softmax of `classLogits` (probabilities per label, summing to 1), computed in Float64.
    public func classProbabilities(_ texts: [[Int32]], tokenTypes: [[Int32]]? = nil, batchSize: Int = 8) throws(ModelingError) -> [[Double]] {
        try classLogits(texts, tokenTypes: tokenTypes, batchSize: batchSize).map { row in
            let m = Double(row.max() ?? 0)
            let e = row.map { exp(Double($0) - m) }
            let s = e.reduce(0, +)
            return e.map { $0 / s }
        }
    }
}
