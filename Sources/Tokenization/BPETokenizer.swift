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

    /// The bos / eos ids named by a model's `tokenizer_config.json` (read by ``load(contentsOf:)``)
    /// or set with ``withSpecialTokens(bos:eos:)``; they take precedence over the guesses.
    public private(set) var configuredBosTokenId: Int?
    public private(set) var configuredEosTokenId: Int?

    /// Normalizers, pre-tokenizers, model options, decoder and template (``TokenizerPipeline/gpt2``
    /// for every tokenizer Lathe trains).
    public let pipeline: TokenizerPipeline

    /// `(left, right)` → `rank << 32 | mergedId`.
    let mergeTable: PairTable
    /// `byteIds[b]` is the id of the single-byte token for `b` (byte-level pipelines only).
    let byteIds: [UInt32]
    /// Whole-token lookup, built only when `ignoreMerges` is set.
    let wholeTokens: [[UInt8]: UInt32]
    /// True when the pipeline is GPT-2's: encoding and decoding take the original fast paths.
    let isGPT2: Bool
    /// Vocabulary strings by id, for tokenizers whose pipeline is not GPT-2's (empty otherwise).
    let tokenStrings: [String]
    /// The tokenizer.json text a non-GPT-2 tokenizer was read from; writing gives it back unchanged.
    let originalJSON: String?
    /// Character-level pipelines: Unicode scalar value → id of the one-character token.
    let charIds: [UInt32: UInt32]
    /// `fallbackIds[b]`: the id of `<0xHH>` for byte `b`, or `UInt32.max` when it is missing.
    let fallbackIds: [UInt32]
    /// The `unk_token`'s id, if the pipeline names one that is in the vocabulary.
    let unkId: UInt32?
    /// `addedByFirstByte[b]`: indexes into `addedTokens` of the tokens whose content starts with `b`.
    let addedByFirstByte: [[Int]]
    /// Non-GPT-2 pipelines: added tokens matched in the raw text, and in each normalized stretch.
    let rawAdded: AddedTokenMatcher
    let normalizedAdded: AddedTokenMatcher
    /// The model works on bytes (``TokenizerPipeline/byteLevel``), not characters.
    let byteMode: Bool
    /// Some byte has no token (`byteIds[b] == UInt32.max`).
    let missingBytes: Bool

    /// Builds a GPT-2-style tokenizer from its parts and checks them.
    /// - Parameters:
    ///   - tokenBytes: every token's bytes by id; must contain all 256 single bytes.
    ///   - merges: pairs of ids in rank order; each pair's concatenated bytes must be a token.
    ///   - addedTokens: tokens with ids inside `tokenBytes`, whose bytes equal their content.
    /// - Throws: ``TokenizationError`` naming `source` when a part is inconsistent.
    public init(
        tokenBytes: [[UInt8]], merges: [BPEMerge], addedTokens: [AddedToken] = [],
        ignoreMerges: Bool = false, source: String = "tokenizer"
    ) throws {
        try self.init(
            tokenBytes: tokenBytes, modelKeys: tokenBytes, merges: merges, addedTokens: addedTokens, ignoreMerges: ignoreMerges,
            pipeline: .gpt2, tokenStrings: [], originalJSON: nil, outsideModel: Set(addedTokens.map(\.id)), source: source)
    }

    /// The general initializer.
    /// - Parameters:
    ///   - tokenBytes: what each id decodes to.
    ///   - modelKeys: what each id matches in the model: bytes for byte-level pipelines, the UTF-8 of
    ///     the vocabulary string otherwise. Merges join keys.
    ///   - tokenStrings: vocabulary strings by id (empty for the GPT-2 pipeline).
    ///   - outsideModel: ids the BPE model never produces (added tokens that are not in
    ///     `model.vocab`; HF lets merges make an added token that is).
    init(
        tokenBytes: [[UInt8]], modelKeys: [[UInt8]], merges: [BPEMerge], addedTokens: [AddedToken], ignoreMerges: Bool,
        pipeline: TokenizerPipeline, tokenStrings: [String], originalJSON: String?, outsideModel: Set<Int>, source: String
    ) throws {
        var byId: [[UInt8]: UInt32] = [:]
        byId.reserveCapacity(modelKeys.count)
        for (id, bytes) in modelKeys.enumerated() where !outsideModel.contains(id) {
            // Keep the lowest id for duplicate byte strings (first wins, like HF's reverse vocab).
            if byId[bytes] == nil { byId[bytes] = UInt32(id) }
        }
        var byteIds = [UInt32](repeating: 0, count: 256)
        var charIds: [UInt32: UInt32] = [:]
        var fallbackIds = [UInt32](repeating: .max, count: 256)
        var missingBytes = false
        if pipeline.byteLevel {
            // HF drops a byte that has no token (SmolLM2's vocabulary lacks 21 of them) unless byte
            // fallback or `unk` catches it; see `BPEEncoder.byteSymbols`.
            for b in 0..<256 {
                if let id = byId[[UInt8(b)]] { byteIds[b] = id } else { byteIds[b] = .max; missingBytes = true }
            }
        } else {
            for (id, key) in modelKeys.enumerated().reversed() where !outsideModel.contains(id) {
                let scalars = String(decoding: key, as: UTF8.self).unicodeScalars
                if scalars.count == 1, let s = scalars.first, Array(String(s).utf8) == key { charIds[s.value] = UInt32(id) }
            }
        }
        for b in 0..<256 {
            let hex = String(b, radix: 16, uppercase: true)
            if let id = byId[Array("<0x\(hex.count == 1 ? "0" + hex : hex)>".utf8)] { fallbackIds[b] = id }
        }
        var unkId: UInt32?
        if let unk = pipeline.unkToken {
            let key = Array(unk.utf8)
            unkId = byId[key] ?? addedTokens.first { $0.content.utf8.elementsEqual(key) }.map { UInt32($0.id) }
        }
        var table = PairTable(capacity: merges.count)
        for (rank, m) in merges.enumerated() {
            guard m.left >= 0, m.left < modelKeys.count, m.right >= 0, m.right < modelKeys.count else {
                throw TokenizationError.badMerge(path: source, index: rank, reason: "references an id outside the vocabulary")
            }
            guard let merged = byId[modelKeys[m.left] + modelKeys[m.right]] else {
                let name = { (id: Int) in tokenStrings.isEmpty ? ByteLevel.encode(tokenBytes[id]) : tokenStrings[id] }
                throw TokenizationError.badMerge(
                    path: source, index: rank, reason: "'\(name(m.left)) \(name(m.right))' produces a token that is not in the vocabulary")
            }
            let key = PairTable.key(UInt32(m.left), UInt32(m.right))
            // A repeated merge keeps its first (lowest) rank.
            if table.get(key) == nil { table.set(key, UInt64(rank) << 32 | UInt64(merged)) }
        }
        for t in addedTokens {
            let matches = t.id >= 0 && t.id < tokenBytes.count
                && (!tokenStrings.isEmpty || tokenBytes[t.id] == Array(t.content.utf8))
            guard matches, !t.content.isEmpty else {
                throw TokenizationError.invalidField(
                    path: source, field: "added_tokens",
                    reason: "entry '\(t.content)' (id \(t.id)) does not match the vocabulary")
            }
        }
        if let template = pipeline.template, let bad = (template.prefix + template.suffix).first(where: { $0 >= tokenBytes.count }) {
            throw TokenizationError.invalidField(
                path: source, field: "post_processor.special_tokens",
                reason: "gives the id \(bad), outside the vocabulary of \(tokenBytes.count)")
        }
        self.tokenBytes = tokenBytes
        self.merges = merges
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        self.ignoreMerges = ignoreMerges
        self.pipeline = pipeline
        self.mergeTable = table
        self.byteIds = byteIds
        self.wholeTokens = ignoreMerges ? byId : [:]
        self.isGPT2 = pipeline == .gpt2
        self.tokenStrings = tokenStrings
        self.originalJSON = originalJSON
        self.charIds = charIds
        self.fallbackIds = fallbackIds
        self.unkId = unkId
        var index = [[Int]](repeating: [], count: 256)
        for (i, t) in self.addedTokens.enumerated() { index[Int(t.content.utf8.first!)].append(i) }
        self.addedByFirstByte = index
        var raw = AddedTokenMatcher()
        var normalized = AddedTokenMatcher()
        var scratch: [UInt8] = []
        for t in self.addedTokens {
            guard t.normalized else { raw.add(Array(t.content.utf8), t); continue }
            var content: [UInt8] = []
            Array(t.content.utf8).withUnsafeBufferPointer { Normalizer.apply(pipeline.normalizers, to: $0, into: &content, scratch: &scratch) }
            normalized.add(content, t)
        }
        self.rawAdded = raw
        self.normalizedAdded = normalized
        self.byteMode = pipeline.byteLevel
        self.missingBytes = missingBytes
    }

    /// Number of ids (base bytes + merged tokens + added tokens).
    public var vocabSize: Int { tokenBytes.count }

    /// The id of added token `content`, e.g. `"<|endoftext|>"`.
    public func addedTokenId(_ content: String) -> Int? {
        addedTokens.first { $0.content == content }?.id
    }

    /// The end-of-text id: the template's last suffix id, else the first added token named like an
    /// end of text (`<|endoftext|>`, `</s>`, `<|end_of_text|>`, `<|im_end|>`), else the first special
    /// added token. A model's `config.json` `eos_token_id`, when there is one, takes precedence.
    public var endOfTextId: Int? {
        if let last = pipeline.template?.suffix.last { return last }
        for name in [BPETrainer.defaultSpecialToken, "</s>", "<|end_of_text|>", "<|im_end|>"] {
            if let id = addedTokenId(name) { return id }
        }
        return addedTokens.first { $0.special }?.id
    }

    /// The end-of-sequence id: the configured one (SmolLM2-Instruct's `tokenizer_config.json` says
    /// `<|im_end|>`), else ``endOfTextId``.
    public var eosTokenId: Int? { configuredEosTokenId ?? endOfTextId }

    /// The beginning-of-sequence id: the configured one, else the template's first prefix id (`<s>`,
    /// `<|begin_of_text|>`), else an added `<s>` or `<|begin_of_text|>`, else nil (GPT-2 has none).
    public var bosTokenId: Int? {
        if let configured = configuredBosTokenId { return configured }
        if let first = pipeline.template?.prefix.first { return first }
        return addedTokenId("<s>") ?? addedTokenId("<|begin_of_text|>")
    }

    /// This tokenizer with the given bos / eos ids (e.g. `bos_token_id` / `eos_token_id` from a
    /// model's `config.json`); nil keeps the current one. Ids outside the vocabulary are ignored.
    public func withSpecialTokens(bos: Int?, eos: Int?) -> BPETokenizer {
        var copy = self
        if let bos, bos >= 0, bos < vocabSize { copy.configuredBosTokenId = bos }
        if let eos, eos >= 0, eos < vocabSize { copy.configuredEosTokenId = eos }
        return copy
    }

    /// The smallest shard element that holds every id: 2 bytes when the vocabulary fits in
    /// `UInt16`, else 4.
    public var idByteWidth: Int { vocabSize <= 65_536 ? 2 : 4 }

    public static func == (a: BPETokenizer, b: BPETokenizer) -> Bool {
        a.tokenBytes == b.tokenBytes && a.merges == b.merges && a.addedTokens == b.addedTokens
            && a.ignoreMerges == b.ignoreMerges && a.pipeline == b.pipeline && a.tokenStrings == b.tokenStrings
            && a.configuredBosTokenId == b.configuredBosTokenId && a.configuredEosTokenId == b.configuredEosTokenId
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

/// A token matched in raw text before pre-tokenization (HF `AddedToken`), and never split.
public struct AddedToken: Hashable, Sendable, Codable {
    public var id: Int
    public var content: String
    /// `special` tokens are dropped by `decode(skipSpecialTokens: true)`.
    public var special: Bool
    /// Matches only when not inside a word (no letter, digit or `_` right before or after).
    public var singleWord: Bool
    /// The match takes the whitespace on its left.
    public var lstrip: Bool
    /// The match takes the whitespace on its right.
    public var rstrip: Bool
    /// Matched in the normalized text (its content normalized too) rather than the raw text.
    /// Only differs when the tokenizer has normalizers.
    public var normalized: Bool

    public init(
        id: Int, content: String, special: Bool = true, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
        normalized: Bool = false
    ) {
        self.id = id
        self.content = content
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
    }
}
