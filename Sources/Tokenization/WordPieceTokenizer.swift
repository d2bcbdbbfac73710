/// A BERT-style WordPiece tokenizer read from an HF `tokenizer.json` (all-MiniLM-L6-v2, BERT,
/// DistilBERT): added tokens matched in the raw text, ``BertNormalizer``, ``BertPreTokenizer``,
/// greedy longest-match-first WordPiece with `##` continuations, and the `[CLS] A [SEP] (B [SEP])`
/// template with token type ids. Ids equal HF `tokenizers`' (`Tests/TokenizationTests/WordPieceParityTests.swift`).
///
///     let tok = try WordPieceTokenizer.load(contentsOf: folder)      // folder or tokenizer.json
///     let e = tok.encode("Hello, world", pair: "Bye")                // e.ids, e.typeIds
///     tok.decode(e.ids)                                              // "hello, world bye"
///
/// An immutable value (`Sendable`); encoding allocates per call and needs no cache.
public struct WordPieceTokenizer: Sendable {
    /// Vocabulary strings by id (added tokens included).
    public let tokens: [String]
    /// The normalizer (nil when the file has none).
    public let normalizer: BertNormalizer?
    /// Prefix of a word's non-initial pieces (`##`).
    public let continuingSubwordPrefix: String
    /// Words of more scalars than this become one `[UNK]` (HF `max_input_chars_per_word`, 100).
    public let maxInputCharsPerWord: Int
    /// The unknown token's id.
    public let unkId: Int
    /// Tokens matched before normalization and never split (`[CLS]`, `[MASK]`, …).
    public let addedTokens: [AddedToken]
    /// What goes around one sequence and around a pair.
    public let template: EncoderTemplate
    /// The WordPiece decoder's cleanup of spaces before punctuation and contractions.
    public let decoderCleanup: Bool
    /// The file's `truncation.max_length`, if it sets one (MiniLM: 128); encoding never truncates.
    public let maxLength: Int?
    /// The padding id: the file's `padding.pad_id`, else `[PAD]`'s id, else 0.
    public let padId: Int

    /// Vocabulary key (UTF-8 bytes, so canonically equivalent strings stay distinct) → id.
    let vocab: [[UInt8]: Int32]
    /// Bytes of the longest vocabulary key: a longer candidate piece cannot match, so the search starts
    /// there (the same result as HF's, in O(k·m) lookups instead of O(k²)).
    let longestKey: Int
    let rawAdded: AddedTokenMatcher
    let normalizedAdded: AddedTokenMatcher
    let specialIds: Set<Int>

    init(
        tokens: [String], vocab: [[UInt8]: Int32], normalizer: BertNormalizer?, prefix: String, maxInputCharsPerWord: Int,
        unkId: Int, addedTokens: [AddedToken], template: EncoderTemplate, decoderCleanup: Bool, maxLength: Int?, padId: Int
    ) {
        self.tokens = tokens
        self.vocab = vocab
        self.longestKey = vocab.keys.map(\.count).max() ?? 0
        self.normalizer = normalizer
        self.continuingSubwordPrefix = prefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.unkId = unkId
        self.addedTokens = addedTokens.sorted { $0.id < $1.id }
        self.template = template
        self.decoderCleanup = decoderCleanup
        self.maxLength = maxLength
        self.padId = padId
        var raw = AddedTokenMatcher()
        var normalized = AddedTokenMatcher()
        for t in self.addedTokens {
            if t.normalized {
                normalized.add(Array((normalizer?.normalize(t.content) ?? t.content).utf8), t)
            } else {
                raw.add(Array(t.content.utf8), t)
            }
        }
        self.rawAdded = raw
        self.normalizedAdded = normalized
        self.specialIds = Set(addedTokens.filter(\.special).map(\.id))
    }

    /// Number of ids.
    public var vocabSize: Int { tokens.count }

    /// The id of `token` (a vocabulary or added token), e.g. `"[MASK]"`.
    public func id(of token: String) -> Int? { vocab[Array(token.utf8)].map(Int.init) }

    /// `[CLS]`, `[SEP]` and `[MASK]` ids when the vocabulary has them.
    public var clsId: Int? { id(of: "[CLS]") }
    public var sepId: Int? { id(of: "[SEP]") }
    public var maskId: Int? { id(of: "[MASK]") }

    /// The ids of `text` without the template's special tokens.
    public func encodeWithoutSpecials(_ text: String) -> [Int] {
        var ids: [Int] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { p in
            rawAdded.split(p, text: { start, end in
                let stretch = String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
                encodeNormalized(normalizer?.normalize(stretch) ?? stretch, into: &ids)
            }, token: { ids.append(Int($0)) })
        }
        return ids
    }

    /// `text` (and `pair`) with the template applied: `[CLS] A [SEP]` or `[CLS] A [SEP] B [SEP]`
    /// for BERT, with type ids 0 for A's part and 1 for B's.
    public func encode(_ text: String, pair: String? = nil, addSpecialTokens: Bool = true) -> WordPieceEncoding {
        let a = encodeWithoutSpecials(text)
        let b = pair.map(encodeWithoutSpecials)
        guard addSpecialTokens else {
            return WordPieceEncoding(ids: a + (b ?? []), typeIds: [Int](repeating: 0, count: a.count) + [Int](repeating: 1, count: b?.count ?? 0))
        }
        return template.apply(a, b)
    }

    /// Text of `ids` through the WordPiece decoder: pieces joined by spaces, `##` pieces glued to the
    /// previous one, then (with cleanup) no space before `.,!?` and English contractions. Special
    /// tokens are dropped when `skipSpecialTokens`; ids outside the vocabulary are ignored.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        var out = ""
        var first = true
        for id in ids where id >= 0 && id < tokens.count && !(skipSpecialTokens && specialIds.contains(id)) {
            var piece = tokens[id]
            if !first {
                if piece.unicodeScalars.starts(with: continuingSubwordPrefix.unicodeScalars) {
                    piece = String(String.UnicodeScalarView(piece.unicodeScalars.dropFirst(continuingSubwordPrefix.unicodeScalars.count)))
                } else {
                    piece = " " + piece
                }
            }
            first = false
            out += decoderCleanup ? Self.cleanup(piece) : piece
        }
        return out
    }

    /// HF's `wordpiece::cleanup`, applied to each piece in its order of replacements.
    static func cleanup(_ piece: String) -> String {
        // Every pattern is a space followed by one of . ? ! , ' n d: most pieces have none.
        var previousSpace = false, candidate = false
        for u in piece.unicodeScalars {
            if previousSpace && ".?!,'nd".unicodeScalars.contains(u) { candidate = true; break }
            previousSpace = u == " "
        }
        guard candidate else { return piece }
        var s = piece
        for (from, to) in [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
            (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")] {
            s = Self.replaceScalars(s, from, to)
        }
        return s
    }

    /// Replaces every occurrence of `from` by `to`, comparing scalars (not canonical equivalence).
    static func replaceScalars(_ s: String, _ from: String, _ to: String) -> String {
        let a = Array(s.unicodeScalars), f = Array(from.unicodeScalars)
        guard a.count >= f.count else { return s }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < a.count {
            if i + f.count <= a.count && a[i..<(i + f.count)].elementsEqual(f) {
                out.append(contentsOf: to.unicodeScalars)
                i += f.count
            } else {
                out.append(a[i])
                i += 1
            }
        }
        return String(out)
    }

    /// Normalized text → normalized added tokens, words, pieces.
    func encodeNormalized(_ text: String, into ids: inout [Int]) {
        guard !normalizedAdded.isEmpty else {
            for word in BertPreTokenizer.split(text) { encodeWord(word, into: &ids) }
            return
        }
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { p in
            normalizedAdded.split(p, text: { start, end in
                let stretch = String(decoding: UnsafeBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
                for word in BertPreTokenizer.split(stretch) { encodeWord(word, into: &ids) }
            }, token: { ids.append(Int($0)) })
        }
    }

    /// Greedy longest-match-first WordPiece on one word; a word with a piece missing from the
    /// vocabulary, or longer than ``maxInputCharsPerWord`` scalars, is one `[UNK]`.
    /// - Complexity: O(k·m) lookups for a word of k scalars (k ≤ 100) and pieces of at most m.
    func encodeWord(_ word: String, into ids: inout [Int]) {
        let scalars = Array(word.unicodeScalars)
        guard scalars.count <= maxInputCharsPerWord else { ids.append(unkId); return }
        // Byte offset of each scalar boundary.
        var offsets = [0]
        offsets.reserveCapacity(scalars.count + 1)
        for s in scalars { offsets.append(offsets.last! + UTF8.width(s)) }
        let bytes = Array(word.utf8)
        let prefix = Array(continuingSubwordPrefix.utf8)
        var pieces: [Int] = []
        var start = 0
        var key: [UInt8] = []
        while start < scalars.count {
            var end = scalars.count
            let room = longestKey - (start > 0 ? prefix.count : 0)
            while end > start && offsets[end] - offsets[start] > room { end -= 1 }
            var found: Int32?
            while start < end {
                key.removeAll(keepingCapacity: true)
                if start > 0 { key.append(contentsOf: prefix) }
                key.append(contentsOf: bytes[offsets[start]..<offsets[end]])
                if let id = vocab[key] { found = id; break }
                end -= 1
            }
            guard let id = found else { ids.append(unkId); return }
            pieces.append(Int(id))
            start = end
        }
        ids.append(contentsOf: pieces)
    }
}

/// Ids and token type ids of one encoded sequence or pair.
public struct WordPieceEncoding: Hashable, Sendable {
    public var ids: [Int]
    /// 0 for the first sequence's part, 1 for the second's (BERT's segment embedding index).
    public var typeIds: [Int]

    public init(ids: [Int], typeIds: [Int]) {
        self.ids = ids
        self.typeIds = typeIds
    }
}

/// A post-processor (`TemplateProcessing` or `BertProcessing`) as two piece lists.
public struct EncoderTemplate: Hashable, Sendable {
    public enum Piece: Hashable, Sendable {
        /// Fixed ids (`[CLS]`) with their type id.
        case special(ids: [Int], typeId: Int)
        /// The first (`A`) or second (`B`) sequence with its type id.
        case sequence(second: Bool, typeId: Int)
    }
    public var single: [Piece]
    public var pair: [Piece]

    /// No post-processor: A alone, or A then B with type id 1.
    public static let plain = EncoderTemplate(
        single: [.sequence(second: false, typeId: 0)], pair: [.sequence(second: false, typeId: 0), .sequence(second: true, typeId: 1)])

    /// BERT's `[CLS] A [SEP]` / `[CLS] A [SEP] B [SEP]`.
    public static func bert(cls: Int, sep: Int) -> EncoderTemplate {
        EncoderTemplate(
            single: [.special(ids: [cls], typeId: 0), .sequence(second: false, typeId: 0), .special(ids: [sep], typeId: 0)],
            pair: [.special(ids: [cls], typeId: 0), .sequence(second: false, typeId: 0), .special(ids: [sep], typeId: 0),
                   .sequence(second: true, typeId: 1), .special(ids: [sep], typeId: 1)])
    }

    public init(single: [Piece], pair: [Piece]) {
        self.single = single
        self.pair = pair
    }

    /// Number of ids the template adds around one sequence (2 for BERT) or a pair (3).
    public func addedCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { if case let .special(ids, _) = $1 { return $0 + ids.count }; return $0 }
    }

    /// `a` (and `b`) with the template's pieces.
    public func apply(_ a: [Int], _ b: [Int]?) -> WordPieceEncoding {
        var e = WordPieceEncoding(ids: [], typeIds: [])
        for piece in b == nil ? single : pair {
            switch piece {
            case let .special(ids, typeId):
                e.ids += ids
                e.typeIds += [Int](repeating: typeId, count: ids.count)
            case let .sequence(second, typeId):
                let part = second ? (b ?? []) : a
                e.ids += part
                e.typeIds += [Int](repeating: typeId, count: part.count)
            }
        }
        return e
    }
}
