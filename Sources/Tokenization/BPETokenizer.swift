/// A GPT-2-style byte-level BPE tokenizer: the GPT-2 pre-tokenizer, merges applied by rank inside
/// each pre-token, and added (special) tokens such as `<|endoftext|>`.
///
/// The tokenizer is an immutable value (cheap to copy, `Sendable`). Encoding goes through a
/// ``BPEEncoder``, which adds a word → ids cache; the `encode` conveniences here make a fresh one.
///
///     let tok = try BPETokenizer.load(contentsOf: url)           // HF tokenizer.json
///     let ids = tok.encode("Hello, world")                        // [Int]
///     let text = tok.decodeText(ids)                              // "Hello, world"
public struct BPETokenizer: Sendable, Equatable {
    /// Raw bytes of each token, indexed by id (added tokens hold their UTF-8 content).
    public let tokenBytes: [[UInt8]]
    /// The merges in rank order (rank = index; lowest applied first).
    public let merges: [BPEMerge]
    /// Tokens matched before pre-tokenization and never split (`<|endoftext|>`).
    public let addedTokens: [AddedToken]
    /// HF `ignore_merges`: a pre-token that is already a vocabulary entry is emitted whole.
    public let ignoreMerges: Bool

    /// `(left, right)` → `rank << 32 | mergedId`.
    let mergeTable: PairTable
    /// `byteIds[b]` is the id of the single-byte token for `b`.
    let byteIds: [UInt32]
    /// Whole-token lookup, built only when `ignoreMerges` is set.
    let wholeTokens: [[UInt8]: UInt32]

    /// Builds a tokenizer from its parts and checks them.
    /// - Parameters:
    ///   - tokenBytes: every token's bytes by id; must contain all 256 single bytes.
    ///   - merges: pairs of ids in rank order; each pair's concatenated bytes must be a token.
    ///   - addedTokens: tokens with ids inside `tokenBytes`, whose bytes equal their content.
    /// - Throws: ``TokenizationError`` naming `source` when a part is inconsistent.
    public init(
        tokenBytes: [[UInt8]], merges: [BPEMerge], addedTokens: [AddedToken] = [],
        ignoreMerges: Bool = false, source: String = "tokenizer"
    ) throws {
        let added = Set(addedTokens.map(\.id))
        var byId: [[UInt8]: UInt32] = [:]
        byId.reserveCapacity(tokenBytes.count)
        for (id, bytes) in tokenBytes.enumerated() where !added.contains(id) {
            // Keep the lowest id for duplicate byte strings (first wins, like HF's reverse vocab).
            if byId[bytes] == nil { byId[bytes] = UInt32(id) }
        }
        var byteIds = [UInt32](repeating: 0, count: 256)
        for b in 0..<256 {
            guard let id = byId[[UInt8(b)]] else {
                throw TokenizationError.invalidField(
                    path: source, field: "model.vocab",
                    reason: "has no token for byte 0x\(String(b, radix: 16)); a byte-level vocabulary needs all 256 bytes")
            }
            byteIds[b] = id
        }
        var table = PairTable(capacity: merges.count)
        for (rank, m) in merges.enumerated() {
            guard m.left >= 0, m.left < tokenBytes.count, m.right >= 0, m.right < tokenBytes.count else {
                throw TokenizationError.badMerge(path: source, index: rank, reason: "references an id outside the vocabulary")
            }
            guard let merged = byId[tokenBytes[m.left] + tokenBytes[m.right]] else {
                throw TokenizationError.badMerge(
                    path: source, index: rank,
                    reason: "'\(ByteLevel.encode(tokenBytes[m.left])) \(ByteLevel.encode(tokenBytes[m.right]))' produces a token that is not in the vocabulary")
            }
            let key = PairTable.key(UInt32(m.left), UInt32(m.right))
            // A repeated merge keeps its first (lowest) rank.
            if table.get(key) == nil { table.set(key, UInt64(rank) << 32 | UInt64(merged)) }
        }
        for t in addedTokens {
            guard t.id >= 0, t.id < tokenBytes.count, tokenBytes[t.id] == Array(t.content.utf8) else {
                throw TokenizationError.invalidField(
                    path: source, field: "added_tokens",
                    reason: "entry '\(t.content)' (id \(t.id)) does not match the vocabulary")
            }
        }
        self.tokenBytes = tokenBytes
        self.merges = merges
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        self.ignoreMerges = ignoreMerges
        self.mergeTable = table
        self.byteIds = byteIds
        self.wholeTokens = ignoreMerges ? byId : [:]
    }

    /// Number of ids (base bytes + merged tokens + added tokens).
    public var vocabSize: Int { tokenBytes.count }

    /// The id of added token `content`, e.g. `"<|endoftext|>"`.
    public func addedTokenId(_ content: String) -> Int? {
        addedTokens.first { $0.content == content }?.id
    }

    /// The end-of-text id: `<|endoftext|>` if present, else the first special added token.
    public var endOfTextId: Int? {
        addedTokenId(BPETrainer.defaultSpecialToken) ?? addedTokens.first { $0.special }?.id
    }

    /// The smallest shard element that holds every id: 2 bytes when the vocabulary fits in
    /// `UInt16`, else 4.
    public var idByteWidth: Int { vocabSize <= 65_536 ? 2 : 4 }

    public static func == (a: BPETokenizer, b: BPETokenizer) -> Bool {
        a.tokenBytes == b.tokenBytes && a.merges == b.merges && a.addedTokens == b.addedTokens
            && a.ignoreMerges == b.ignoreMerges
    }
}

/// One merge rule: the tokens `left` and `right`, adjacent in a pre-token, become one token.
public struct BPEMerge: Hashable, Sendable, Codable {
    public var left: Int
    public var right: Int
    public init(_ left: Int, _ right: Int) {
        self.left = left
        self.right = right
    }
}

/// A token matched in raw text before pre-tokenization (HF `AddedToken`).
public struct AddedToken: Hashable, Sendable, Codable {
    public var id: Int
    public var content: String
    /// `special` tokens are dropped by `decode(skipSpecialTokens: true)`.
    public var special: Bool
    public init(id: Int, content: String, special: Bool = true) {
        self.id = id
        self.content = content
        self.special = special
    }
}
