public import Compute
import Foundation

/// BERT's masked-language-model corruption (HF `DataCollatorForLanguageModeling`): each real, non-special
/// position is chosen with probability `probability`; a chosen position's target is its id, and its
/// input becomes `[MASK]` (80 %), a random id (10 %) or stays (10 %). Every draw comes from `generator`,
/// so a seed fixes the masks.
public enum MaskedLMMasking {
    /// Returns the corrupted tokens and the targets (−1 where nothing is predicted), both (B·T).
    /// `special` ids ([CLS], [SEP], [PAD]) are never chosen; padding positions never are either.
    public static func mask(
        _ batch: EncoderBatch, probability: Double, maskId: Int, vocabSize: Int, special: Set<Int>,
        generator: inout SeededGenerator
    ) -> (tokens: [Int32], targets: [Int32]) {
        var tokens = batch.tokens
        var targets = [Int32](repeating: -1, count: tokens.count)
        let t = batch.sequenceLength
        for bi in 0..<batch.batchSize {
            for i in 0..<Int(batch.lengths[bi]) {
                let k = bi * t + i
                guard !special.contains(Int(tokens[k])), generator.nextDouble() < probability else { continue }
                targets[k] = tokens[k]
                let u = generator.nextDouble()
                if u < 0.8 {
                    tokens[k] = Int32(maskId)
                } else if u < 0.9 {
                    tokens[k] = Int32(generator.next() % UInt64(vocabSize))
                }
            }
        }
        return (tokens, targets)
    }
}
