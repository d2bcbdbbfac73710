/// A training sequence cut from an ``EncodedDataset``: at most `sequenceLen` tokens, with the
/// documents it holds marked so attention never crosses them ("neat" packing, recipes.md §3.2).
public struct PackedSequence: Sendable, Equatable {
    public var tokens: [UInt32]
    public var lossMask: [UInt8]
    /// Offsets in `tokens` where a document starts; always begins with 0.
    public var documentStarts: [Int]

    public init(tokens: [UInt32], lossMask: [UInt8], documentStarts: [Int]) {
        self.tokens = tokens
        self.lossMask = lossMask
        self.documentStarts = documentStarts
    }
}

extension EncodedDataset {
    /// Cuts the dataset into sequences of at most `sequenceLen` tokens.
    ///
    /// - Without packing, each document is one sequence, truncated to `sequenceLen` (Axolotl's
    ///   behavior for unpacked samples).
    /// - With packing, whole documents are placed greedily, in order, into sequences; a document
    ///   that does not fit starts a new sequence, and one longer than `sequenceLen` is split into
    ///   `sequenceLen`-token pieces.
    ///
    /// A `sequenceLen` below 1 is treated as 1 (the recipe layer rejects it first).
    ///
    /// - Complexity: O(tokens).
    public func sequences(sequenceLen requested: Int, packing: Bool) -> [PackedSequence] {
        let sequenceLen = max(1, requested)
        var out: [PackedSequence] = []
        var current = PackedSequence(tokens: [], lossMask: [], documentStarts: [])
        func flush() {
            if !current.tokens.isEmpty { out.append(current) }
            current = PackedSequence(tokens: [], lossMask: [], documentStarts: [])
        }
        for d in 0..<documentCount {
            let (t, m) = document(d)
            if !packing {
                let n = min(t.count, sequenceLen)
                out.append(PackedSequence(tokens: Array(t.prefix(n)), lossMask: Array(m.prefix(n)), documentStarts: [0]))
                continue
            }
            var start = t.startIndex
            while start < t.endIndex {
                let piece = min(t.endIndex - start, sequenceLen)
                if current.tokens.count + piece > sequenceLen { flush() }
                current.documentStarts.append(current.tokens.count)
                current.tokens += t[start..<(start + piece)]
                current.lossMask += m[start..<(start + piece)]
                start += piece
            }
        }
        flush()
        return out
    }
}
