/// GPT-2's pre-tokenizer, written as a scanner over UTF-8 bytes instead of a regex:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// This is exactly HF's `ByteLevel(add_prefix_space: false, use_regex: true)` split (and tiktoken's
/// GPT-2 pattern): alternatives are tried in order at each position, `\s` is Unicode `White_Space`,
/// `\p{L}`/`\p{N}` are the Unicode letter and number categories. Bytes that are not valid UTF-8 are
/// each treated as one "other" character (class `[^\s\p{L}\p{N}]`), so any byte string splits and
/// every byte lands in exactly one pre-token.
///
/// - Complexity: O(n) in the byte count; ASCII is classified by table lookup.
public enum PreTokenizer {
    /// Character classes the pattern distinguishes.
    enum CharClass: UInt8, Sendable { case letter, number, whitespace, other }

    /// The class of an ASCII byte (< 0x80): letters A–Z a–z, digits, Unicode `White_Space` (U+0009–U+000D,
    /// U+0020), everything else other. Comparisons rather than a table: a global table costs a
    /// `swift_once` check and a bounds check on every byte of the hot scan (6 % of an encode).
    @inline(__always)
    static func asciiClass(_ b: UInt8) -> CharClass {
        if (b | 0x20) &- 0x61 < 26 { return .letter }
        if b &- 0x30 < 10 { return .number }
        if b == 0x20 || b &- 0x09 < 5 { return .whitespace }
        return .other
    }

    /// Splits `bytes` into pre-token ranges and calls `body(start, end)` for each, in order.
    /// The ranges tile `0..<bytes.count`.
    public static func split(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Int, Int) -> Void) {
        var i = 0
        let n = bytes.count
        while i < n {
            let end = tokenEnd(bytes, from: i)
            body(i, end)
            i = end
        }
    }

    /// Convenience: the pre-tokens of `text` as strings (tests, previews).
    public static func split(_ text: String) -> [[UInt8]] {
        let bytes = Array(text.utf8)
        return split(bytes: bytes)
    }

    /// Convenience: the pre-tokens of a byte string.
    public static func split(bytes: [UInt8]) -> [[UInt8]] {
        var out: [[UInt8]] = []
        bytes.withUnsafeBufferPointer { buf in
            split(buf) { out.append(Array(buf[$0..<$1])) }
        }
        return out
    }

    /// The end (exclusive) of the pre-token starting at `i`.
    static func tokenEnd(_ p: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        let n = p.count
        let b0 = p[i]
        // 's 't 're 've 'm 'll 'd (case-sensitive, as in the pattern).
        if b0 == 0x27 && i + 1 < n {
            let b1 = p[i + 1]
            if b1 == 0x73 || b1 == 0x74 || b1 == 0x6D || b1 == 0x64 { return i + 2 }  // s t m d
            if i + 2 < n {
                let b2 = p[i + 2]
                if (b1 == 0x72 && b2 == 0x65) || (b1 == 0x76 && b2 == 0x65) || (b1 == 0x6C && b2 == 0x6C) {
                    return i + 3  // re ve ll
                }
            }
        }
        var (cls, len) = classify(p, at: i)
        var j = i
        // ` ?X+`: an ASCII space (only U+0020) joins a following letter, number or other run.
        if b0 == 0x20 && i + 1 < n {
            let (c1, l1) = classify(p, at: i + 1)
            if c1 != .whitespace {
                j = i + 1
                cls = c1
                len = l1
            }
        }
        if cls != .whitespace {
            j += len
            while j < n {
                let (c, l) = classify(p, at: j)
                if c != cls { break }
                j += l
            }
            return j
        }
        // `\s+(?!\S)|\s+`: a whitespace run; when a non-space follows, the run's last character is
        // left for the next pre-token (it may become the ` ?` prefix), unless it is the only one.
        var lastStart = i
        j = i + len
        while j < n {
            let (c, l) = classify(p, at: j)
            if c != .whitespace { return lastStart > i ? lastStart : j }
            lastStart = j
            j += l
        }
        return n
    }

    /// Class and byte length of the character at `i`; an invalid UTF-8 byte is (other, 1).
    static func classify(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (CharClass, Int) {
        let b0 = p[i]
        if b0 < 0x80 { return (asciiClass(b0), 1) }
        return classifyNonASCII(p, at: i)
    }

    static func classifyNonASCII(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (CharClass, Int) {
        let n = p.count
        let b0 = UInt32(p[i])
        var value: UInt32
        var len: Int
        var minValue: UInt32
        if b0 & 0xE0 == 0xC0 { value = b0 & 0x1F; len = 2; minValue = 0x80 }
        else if b0 & 0xF0 == 0xE0 { value = b0 & 0x0F; len = 3; minValue = 0x800 }
        else if b0 & 0xF8 == 0xF0 { value = b0 & 0x07; len = 4; minValue = 0x10000 }
        else { return (.other, 1) }
        if i + len > n { return (.other, 1) }
        for k in 1..<len {
            let b = UInt32(p[i + k])
            if b & 0xC0 != 0x80 { return (.other, 1) }
            value = (value << 6) | (b & 0x3F)
        }
        // Overlong forms and surrogates are not valid UTF-8: treat the lead byte alone.
        guard value >= minValue, let scalar = Unicode.Scalar(value) else { return (.other, 1) }
        return (scalarClass(scalar), len)
    }

    static func scalarClass(_ s: Unicode.Scalar) -> CharClass {
        let props = s.properties
        if props.isWhitespace { return .whitespace }
        switch props.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return .number
        default:
            return .other
        }
    }
}
