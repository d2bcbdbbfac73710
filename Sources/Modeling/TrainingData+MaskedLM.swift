import Compute

/// Masked-LM rows for BERT (`BertForMaskedLM`): one `[CLS] … [SEP]` window per row, right-padded, whose
/// candidate positions (every real, non-special token) predict their own id. The trainer corrupts a fresh
/// `mlm_probability` share of each row every step (`MaskedLMMasking.mask(_:slot:settings:generator:)`);
/// validation and evaluation use one fixed corruption (`withFixedMasks`) so every model is scored on the
/// same positions.
extension TrainingData {
    /// One right-padded row per window (1 ... T ids each, specials included). Positions holding a `special`
    /// id ([CLS], [SEP], [PAD]) are never candidates; padding is document −1 (the encoder's mask).
    /// - Throws: `.invalidData` for no windows, an empty or over-long window, ids outside the vocabulary,
    ///   or windows with no candidate position at all.
    /// - Complexity: O(rows × T).
    public static func maskedLM(windows: [[Int32]], sequenceLength: Int, vocabSize: Int, special: Set<Int32>) throws(ModelingError) -> TrainingData {
        guard sequenceLength >= 1 else { throw .invalidData("sequence_len must be at least 1, got \(sequenceLength)") }
        guard !windows.isEmpty else { throw .invalidData("the data holds no text to train on") }
        var data = TrainingData(sequenceLength: sequenceLength)
        var targets: [Int32] = []
        for (i, w) in windows.enumerated() {
            guard !w.isEmpty, w.count <= sequenceLength else {
                throw .invalidData("window \(i + 1) has \(w.count) tokens; a masked-LM row holds 1...\(sequenceLength)")
            }
            if let bad = w.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
                throw .invalidData("token id \(bad) is outside the model's vocabulary of \(vocabSize); was the data tokenized with a different tokenizer?")
            }
            data.appendRow(w, w.map { special.contains($0) ? 0 : 1 }, [Int32](repeating: 0, count: w.count))
            targets += w + [Int32](repeating: -1, count: sequenceLength + 1 - w.count)
        }
        data.maskedTargets = targets
        guard data.targetCount > 0 else { throw .invalidData("every window holds special tokens only; there is nothing to predict") }
        return data
    }

    /// The same rows with one fixed corruption: row r's candidates are drawn with the generator seeded by
    /// (`seed`, r) exactly as a training step draws them; unchosen candidates stop being targets and chosen
    /// inputs become [MASK] / a random id / themselves (80/10/10). The same data, settings and seed give the
    /// same positions and inputs whatever model is scored.
    /// - Complexity: O(rows × T).
    public func withFixedMasks(_ settings: MaskedLMSettings, seed: UInt64) -> TrainingData {
        precondition(maskedTargets != nil, "withFixedMasks needs masked-LM data")
        var out = self
        let w = sequenceLength + 1
        for r in 0..<rowCount {
            var generator = MaskedLMMasking.generator(seed: seed, step: 0, row: r)
            for p in 0..<sequenceLength where hasTarget(row: r, position: p) {
                let i = r * w + p
                if !MaskedLMMasking.draw(&out.tokens[i], probability: settings.probability, maskId: settings.maskId,
                                         vocabSize: settings.vocabSize, generator: &generator) {
                    out.lossMask[i] = 0
                }
            }
        }
        return out
    }
}
