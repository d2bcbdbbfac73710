/// One (B, T) batch of model input, row-major. Preallocated once and refilled in place by the
/// batch sampler, so a training step allocates nothing.
public struct TokenBatch: Sendable {
    /// B rows.
    public let batchSize: Int
    /// T positions per row.
    public let sequenceLength: Int
    /// Input token ids (B, T).
    public var tokens: [Int32]
    /// Position ids (B, T); restart at 0 at each packed document.
    public var positions: [Int32]
    /// Document id of each position (B, T); attention never crosses a change of id within a row.
    /// Encoders: a row's real positions are those before its first −1 (right padding).
    public var segments: [Int32]
    /// Token type (segment A/B) ids (B, T); all 0 for decoders and single texts.
    public var tokenTypes: [Int32]
    /// Next-token targets (B, T); −1 means "no target".
    public var targets: [Int32]
    /// Loss weight per position (B, T); 0 for ignored positions. The loss is Σ weight·(−log p(target)).
    public var weights: [Float]

    /// A batch of zeros (every position its own document 0, no targets).
    public init(batchSize: Int, sequenceLength: Int) {
        let n = batchSize * sequenceLength
        self.batchSize = batchSize
        self.sequenceLength = sequenceLength
        tokens = [Int32](repeating: 0, count: n)
        positions = (0..<n).map { Int32($0 % sequenceLength) }
        segments = [Int32](repeating: 0, count: n)
        tokenTypes = [Int32](repeating: 0, count: n)
        targets = [Int32](repeating: -1, count: n)
        weights = [Float](repeating: 0, count: n)
    }

    /// A batch of plain causal rows: tokens (B·T ids), positions 0..<T, one document per row, targets
    /// given (or none), mean loss over positions whose target ≥ 0.
    public init(tokens: [Int32], targets: [Int32]? = nil, batchSize: Int, sequenceLength: Int) {
        self.init(batchSize: batchSize, sequenceLength: sequenceLength)
        precondition(tokens.count == batchSize * sequenceLength, "tokens must hold B·T ids")
        self.tokens = tokens
        if let targets {
            self.targets = targets
            let n = targets.filter { $0 >= 0 }.count
            weights = targets.map { $0 >= 0 && n > 0 ? 1 / Float(n) : 0 }
        }
    }

    /// Overwrites this batch with rows `rows` of `source` (same sequence length; `rows.count` = B).
    mutating func copyRows(_ rows: Range<Int>, of source: TokenBatch) {
        precondition(rows.count == batchSize && source.sequenceLength == sequenceLength, "row range must fit the batch")
        let from = rows.lowerBound * sequenceLength, n = batchSize * sequenceLength
        tokens.replaceSubrange(0..<n, with: source.tokens[from..<(from + n)])
        positions.replaceSubrange(0..<n, with: source.positions[from..<(from + n)])
        segments.replaceSubrange(0..<n, with: source.segments[from..<(from + n)])
        tokenTypes.replaceSubrange(0..<n, with: source.tokenTypes[from..<(from + n)])
        targets.replaceSubrange(0..<n, with: source.targets[from..<(from + n)])
        weights.replaceSubrange(0..<n, with: source.weights[from..<(from + n)])
    }

    /// Positions of row `slot` that have a target (weight ≠ 0 after `TrainingData.fill`).
    func targetCount(slot: Int) -> Int {
        var n = 0
        for i in (slot * sequenceLength)..<((slot + 1) * sequenceLength) where weights[i] != 0 { n += 1 }
        return n
    }

    /// Sets every non-zero weight of row `slot` to `value`.
    mutating func scaleWeights(slot: Int, by value: Float) {
        for i in (slot * sequenceLength)..<((slot + 1) * sequenceLength) where weights[i] != 0 { weights[i] = value }
    }
}
