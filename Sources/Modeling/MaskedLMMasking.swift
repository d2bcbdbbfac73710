public import Compute

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
                guard !special.contains(Int(tokens[k])) else { continue }
                let original = tokens[k]
                if draw(&tokens[k], probability: probability, maskId: maskId, vocabSize: vocabSize, generator: &generator) {
                    targets[k] = original
                }
            }
        }
        return (tokens, targets)
    }

    /// The same corruption on row `slot` of a training batch whose candidate positions are those with a
    /// non-zero weight and a target equal to their own id (`TrainingData.maskedLM` fills them so): a
    /// chosen position keeps its target and weight and its input is corrupted 80/10/10; every other
    /// candidate loses its target (−1) and weight (0). One draw per candidate, in position order, as `mask`.
    public static func mask(_ batch: inout TokenBatch, slot: Int, settings: MaskedLMSettings, generator: inout SeededGenerator) {
        let t = batch.sequenceLength
        for k in (slot * t)..<((slot + 1) * t) where batch.weights[k] != 0 {
            if !draw(&batch.tokens[k], probability: settings.probability, maskId: settings.maskId, vocabSize: settings.vocabSize,
                     generator: &generator) {
                batch.targets[k] = -1
                batch.weights[k] = 0
            }
        }
    }

    /// One candidate position's draws: chosen with `probability`; a chosen `token` then becomes `maskId`
    /// (80 %), a uniform id below `vocabSize` (10 %) or stays (10 %). Returns whether it was chosen. The
    /// one place the corruption is written: training batches, fixed evaluation masks and `mask` use it.
    @inline(__always)
    static func draw(_ token: inout Int32, probability: Double, maskId: Int, vocabSize: Int, generator: inout SeededGenerator) -> Bool {
        guard generator.nextDouble() < probability else { return false }
        let u = generator.nextDouble()
        if u < 0.8 {
            token = Int32(maskId)
        } else if u < 0.9 {
            token = Int32(generator.next() % UInt64(vocabSize))
        }
        return true
    }

    /// The generator of row `row` (0 ..< rows per step) of optimizer step `step` (0-based) of a run seeded
    /// with `seed`: masks depend on nothing else, so a resumed run, any rank split and any worker count
    /// draw the same masks, and a row seen again in a later epoch gets a new one (dynamic masking).
    public static func generator(seed: UInt64, step: Int, row: Int) -> SeededGenerator {
        SeededGenerator(seed: (seed ^ 0x4D4C_4D5F_4D41_534B) &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(row) &* 0xD6E8_FEB8_6659_FD93)
    }
}

/// How a masked-LM run corrupts its inputs: the share of candidate positions chosen (`mlm_probability`),
/// the `[MASK]` id, and the vocabulary the 10 % random replacements are drawn from (the tokenizer's).
public struct MaskedLMSettings: Sendable, Hashable {
    public var probability: Double
    public var maskId: Int
    public var vocabSize: Int

    public init(probability: Double, maskId: Int, vocabSize: Int) {
        self.probability = probability
        self.maskId = maskId
        self.vocabSize = vocabSize
    }
}
