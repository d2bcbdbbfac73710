/// One (B, T) batch for an encoder: rows of ids padded on the right, their token type ids and how many
/// positions of each row are real. Positions are 0 ..< T in every row (BERT's absolute positions).
public struct EncoderBatch: Sendable, Hashable {
    /// B rows.
    public let batchSize: Int
    /// T positions per row (the longest row, or more).
    public let sequenceLength: Int
    /// Token ids (B, T); padding positions hold `padId`.
    public var tokens: [Int32]
    /// Token type (segment) ids (B, T); 0 for padding.
    public var tokenTypes: [Int32]
    /// Real positions per row (B), each in 1 ... T.
    public var lengths: [Int32]

    /// Pads `rows` (ids with their type ids; empty type ids mean all 0) to `sequenceLength`, or to the
    /// longest row when nil. Rows must be non-empty and no longer than T (callers truncate first, and
    /// count what they cut).
    public init(rows: [(ids: [Int], typeIds: [Int])], padId: Int, sequenceLength: Int? = nil) {
        precondition(!rows.isEmpty, "an encoder batch needs at least one row")
        let t = sequenceLength ?? rows.map(\.ids.count).max()!
        precondition(rows.allSatisfy { !$0.ids.isEmpty && $0.ids.count <= t }, "rows must hold 1 ... \(t) ids")
        batchSize = rows.count
        self.sequenceLength = t
        tokens = [Int32](repeating: Int32(padId), count: rows.count * t)
        tokenTypes = [Int32](repeating: 0, count: rows.count * t)
        lengths = rows.map { Int32($0.ids.count) }
        for (r, row) in rows.enumerated() {
            for (i, id) in row.ids.enumerated() { tokens[r * t + i] = Int32(id) }
            for (i, type) in row.typeIds.prefix(row.ids.count).enumerated() { tokenTypes[r * t + i] = Int32(type) }
        }
    }

    /// The attention mask HF takes: 1 for real positions, 0 for padding, (B, T).
    public var attentionMask: [Int32] {
        (0..<(batchSize * sequenceLength)).map { Int32($0 % sequenceLength) < lengths[$0 / sequenceLength] ? 1 : 0 }
    }
}
