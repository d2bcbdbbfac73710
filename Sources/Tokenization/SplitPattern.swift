/// The `Split` pre-tokenizer regexes Lathe knows, each written as a scanner over UTF-8 bytes like
/// ``PreTokenizer`` (GPT-2's). Llama 3 (and SmolLM3, DeepSeek-style files) use ``llama3``, Qwen2 and
/// Qwen2.5 use ``qwen2``; they differ only in how many digits one pre-token takes (``gpt2`` is
/// GPT-2's, scanned by ``PreTokenizer``):
///
///     (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
///
/// The scanners follow Oniguruma's leftmost-first alternation (what HF `tokenizers` uses), with its
/// Unicode case folding in the contractions (`'S`, `'LL`, and `'ſ` since U+017F folds to `s`), and
/// `Split` behavior `Isolated`, `invert: false`: the matches and the text between them both become
/// pre-tokens (between-text cannot occur here, the last alternative takes any whitespace).
///
/// - Complexity: O(n) in the byte count.
public enum SplitPattern: String, Sendable, Hashable, CaseIterable {
    /// Llama 3's pattern: numbers in runs of 1 to 3 digits.
    case llama3 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    /// Qwen2's pattern: every digit alone.
    case qwen2 = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// GPT-2's pattern (what `ByteLevel(use_regex: true)` applies), sometimes written as a `Split`.
    case gpt2 = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// The pattern as the regex text in tokenizer.json (`pattern.Regex`), or nil when unknown.
    public init?(regex: String) {
        self.init(rawValue: regex)
    }

    /// Most digits one pre-token takes.
    var maxDigits: Int { self == .llama3 ? 3 : 1 }

    /// Splits `p[start..<end]` into pre-token ranges and calls `body` for each, in order; the ranges
    /// tile the input.
    func split(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, _ body: (Int, Int) -> Void) {
        if self == .gpt2 {
            PreTokenizer.split(UnsafeBufferPointer(rebasing: p[start..<end])) { a, b in body(start + a, start + b) }
            return
        }
        var i = start
        while i < end {
            let e = tokenEnd(p, from: i, end: end)
            body(i, e)
            i = e
        }
    }

    /// The end (exclusive) of the pre-token starting at `i`, scanning no further than `end`.
    func tokenEnd(_ p: UnsafeBufferPointer<UInt8>, from i: Int, end n: Int) -> Int {
        if p[i] == 0x27, let e = contractionEnd(p, from: i, end: n) { return e }
        let (c0, l0) = Self.classify(p, at: i, end: n)
        // `[^\r\n\p{L}\p{N}]?\p{L}+`
        if c0 == .letter { return run(of: .letter, p, from: i + l0, end: n) }
        if c0 != .number && !isLineBreak(p[i]) && i + l0 < n {
            let (c1, l1) = Self.classify(p, at: i + l0, end: n)
            if c1 == .letter { return run(of: .letter, p, from: i + l0 + l1, end: n) }
        }
        // `\p{N}{1,3}` (Qwen2: `\p{N}`)
        if c0 == .number {
            var j = i + l0
            var count = 1
            while count < maxDigits && j < n {
                let (c, l) = Self.classify(p, at: j, end: n)
                if c != .number { break }
                j += l
                count += 1
            }
            return j
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var j = i
        if p[i] == 0x20 && i + 1 < n && Self.classify(p, at: i + 1, end: n).0 == .other { j = i + 1 }
        if Self.classify(p, at: j, end: n).0 == .other {
            j = run(of: .other, p, from: j, end: n)
            while j < n && isLineBreak(p[j]) { j += 1 }
            return j
        }
        // Whitespace: `\s*[\r\n]+` ends at the run's last line break; else `\s+(?!\S)|\s+`.
        var lastBreakEnd = -1
        var lastStart = i
        j = i
        while j < n {
            let (c, l) = Self.classify(p, at: j, end: n)
            if c != .whitespace { break }
            if isLineBreak(p[j]) { lastBreakEnd = j + 1 }
            lastStart = j
            j += l
        }
        if lastBreakEnd > 0 { return lastBreakEnd }
        if j < n && lastStart > i { return lastStart }
        return j
    }

    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)` at `i` (which holds `'`).
    func contractionEnd(_ p: UnsafeBufferPointer<UInt8>, from i: Int, end n: Int) -> Int? {
        guard i + 1 < n else { return nil }
        let b1 = p[i + 1] | 0x20  // ASCII lower case (only compared with letters)
        if b1 == 0x73 || b1 == 0x74 || b1 == 0x6D || b1 == 0x64 { return i + 2 }  // s t m d
        // U+017F LATIN SMALL LETTER LONG S (C5 BF) folds to `s`.
        if p[i + 1] == 0xC5 && i + 2 < n && p[i + 2] == 0xBF { return i + 3 }
        guard i + 2 < n else { return nil }
        let b2 = p[i + 2] | 0x20
        if (b1 == 0x72 && b2 == 0x65) || (b1 == 0x76 && b2 == 0x65) || (b1 == 0x6C && b2 == 0x6C) { return i + 3 }
        return nil
    }

    /// The end of the run of class `cls` starting at `j`.
    @inline(__always)
    func run(of cls: PreTokenizer.CharClass, _ p: UnsafeBufferPointer<UInt8>, from j: Int, end n: Int) -> Int {
        var j = j
        while j < n {
            let (c, l) = Self.classify(p, at: j, end: n)
            if c != cls { break }
            j += l
        }
        return j
    }

    @inline(__always)
    func isLineBreak(_ b: UInt8) -> Bool { b == 0x0A || b == 0x0D }

    /// ``PreTokenizer/classify(_:at:)`` limited to `p[..<end]`.
    @inline(__always)
    static func classify(_ p: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> (PreTokenizer.CharClass, Int) {
        let b0 = p[i]
        if b0 < 0x80 { return (PreTokenizer.asciiClass(b0), 1) }
        if end == p.count { return PreTokenizer.classifyNonASCII(p, at: i) }
        return PreTokenizer.classifyNonASCII(UnsafeBufferPointer(rebasing: p[..<end]), at: i)
    }
}
