public import Foundation

/// Tokenized documents back to back, with a per-token loss mask: what training stages consume.
///
/// `lossMask[i] == 1` means token `i` is a training target (the prediction of token `i` from the
/// tokens before it carries loss). Document `d` is `documentOffsets[d] ..< documentOffsets[d + 1]`.
public struct EncodedDataset: Sendable, Equatable {
    public var tokens: [UInt32]
    public var lossMask: [UInt8]
    /// Start of each document plus the total at the end: `[0, ..., tokens.count]`.
    public var documentOffsets: [Int]

    public init(tokens: [UInt32] = [], lossMask: [UInt8] = [], documentOffsets: [Int] = [0]) {
        self.tokens = tokens
        self.lossMask = lossMask
        self.documentOffsets = documentOffsets
    }

    public var documentCount: Int { documentOffsets.count - 1 }
    /// Tokens that carry loss.
    public var trainedTokenCount: Int { lossMask.reduce(0) { $0 + Int($1) } }

    /// Document `d`'s tokens and mask.
    public func document(_ d: Int) -> (tokens: ArraySlice<UInt32>, mask: ArraySlice<UInt8>) {
        let r = documentOffsets[d]..<documentOffsets[d + 1]
        return (tokens[r], lossMask[r])
    }

    /// Appends one document.
    public mutating func append(tokens newTokens: [UInt32], mask: [UInt8]) {
        tokens += newTokens
        lossMask += mask
        documentOffsets.append(tokens.count)
    }

    /// Several datasets one after another (e.g. a stage's `datasets:` list).
    public static func concatenated(_ parts: [EncodedDataset]) -> EncodedDataset {
        var out = EncodedDataset()
        for p in parts {
            for d in 0..<p.documentCount {
                let (t, m) = p.document(d)
                out.append(tokens: Array(t), mask: Array(m))
            }
        }
        return out
    }

    /// The documents at `indices`, in that order.
    public func subset(_ indices: [Int]) -> EncodedDataset {
        var out = EncodedDataset()
        for d in indices {
            let (t, m) = document(d)
            out.append(tokens: Array(t), mask: Array(m))
        }
        return out
    }

    /// Holds out whole documents for validation: a seeded shuffle picks them, and both parts keep
    /// file order. The same seed and size give the same split on every machine.
    public func split(valSetSize: ValSetSize, seed: UInt64) -> (train: EncodedDataset, validation: EncodedDataset) {
        let n = documentCount
        let validation = valSetSize.heldOut(of: n, seed: seed)
        return (subset((0..<n).filter { !validation.contains($0) }), subset((0..<n).filter { validation.contains($0) }))
    }

    // MARK: files

    /// Writes `NAME.bin`, `NAME.mask.bin` and `NAME.docs.bin` (see ``TokenShard``).
    public func write(to url: URL, vocabSize: Int) throws {
        try TokenShard.ids(tokens, vocabSize: vocabSize).write(to: url)
        try TokenShard(kind: .mask, width: 1, values: lossMask.map(UInt32.init)).write(to: TokenShard.companion(of: url, kind: .mask))
        try TokenShard(kind: .documents, width: 4, values: documentOffsets.map { UInt32($0) }).write(to: TokenShard.companion(of: url, kind: .documents))
    }

    /// Reads what ``write(to:vocabSize:)`` wrote and checks the three files agree.
    public static func read(from url: URL) throws -> EncodedDataset {
        let ids = try TokenShard.read(url)
        let mask = try TokenShard.read(TokenShard.companion(of: url, kind: .mask))
        let docs = try TokenShard.read(TokenShard.companion(of: url, kind: .documents))
        guard mask.kind == .mask, mask.values.count == ids.values.count else {
            throw DatasetError.badShard(path: TokenShard.companion(of: url, kind: .mask).path, reason: "mask does not match \(url.lastPathComponent) (\(mask.values.count) values for \(ids.values.count) tokens)")
        }
        let offsets = docs.values.map(Int.init)
        guard docs.kind == .documents, offsets.first == 0, offsets.last == ids.values.count else {
            throw DatasetError.badShard(path: TokenShard.companion(of: url, kind: .documents).path, reason: "document offsets do not cover \(url.lastPathComponent)")
        }
        return EncodedDataset(tokens: ids.values, lossMask: mask.values.map { UInt8(truncatingIfNeeded: $0) }, documentOffsets: offsets)
    }
}
