/// A tokenizer.json `decoder` (a `Sequence` flattened into its steps): how ids become text again.
///
/// Every step but `Strip` after a fusing step works token by token, so ``BPETokenizer`` applies
/// them once per vocabulary entry (``decode(token:first:)``) and decoding is a concatenation plus
/// the whole-text strip (``wholeStrip``).
public struct TokenDecoder: Hashable, Sendable {
    public enum Step: Hashable, Sendable {
        /// `ByteLevel`: each token's characters through GPT-2's byte table (a token with a character
        /// outside the table keeps its UTF-8), then all tokens fused.
        case byteLevel
        /// `Replace` with a plain-string pattern (`▁` → space).
        case replace(String, String)
        /// `ByteFallback`: a token `<0xHH>` is the byte `0xHH`.
        case byteFallback
        /// `Fuse`: tokens are joined into one string (later `Strip`s act on the whole text).
        case fuse
        /// `Strip`: removes up to `start` leading and `stop` trailing `content` characters.
        case strip(content: String, start: Int, stop: Int)
        /// `Metaspace`: `replacement` → space; in the first token it is dropped unless
        /// `prependScheme` is `never`.
        case metaspace(replacement: String, prependScheme: PreTokenizerStep.PrependScheme)
    }

    public var steps: [Step]

    public init(_ steps: [Step]) { self.steps = steps }

    /// GPT-2's decoder.
    public static let byteLevel = TokenDecoder([.byteLevel])

    /// True when the first token decodes differently from the others (Metaspace).
    var firstTokenDiffers: Bool {
        steps.contains { if case let .metaspace(_, scheme) = $0 { return scheme != .never }; return false }
    }

    /// The `Strip` that acts on the whole text (after a fusing step): content bytes, start, stop.
    var wholeStrip: (content: [UInt8], start: Int, stop: Int)? {
        var fused = false
        var result: ([UInt8], Int, Int)?
        for step in steps {
            switch step {
            case .fuse, .byteLevel: fused = true
            case let .strip(content, start, stop) where fused: result = (Array(content.utf8), start, stop)
            default: break
            }
        }
        return result
    }

    /// The bytes one vocabulary entry decodes to; `first` marks the first token of the output.
    func decode(token: String, first: Bool) -> [UInt8] {
        var bytes = Array(token.utf8)
        var fused = false
        for step in steps {
            switch step {
            case .byteLevel:
                var out: [UInt8] = []
                out.reserveCapacity(bytes.count)
                var whole = true
                for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
                    guard let b = ByteLevel.scalarToByte(scalar) else { whole = false; break }
                    out.append(b)
                }
                if whole { bytes = out }
                fused = true
            case let .replace(pattern, content):
                bytes = Self.replacing(bytes, Array(pattern.utf8), with: Array(content.utf8))
            case .byteFallback:
                if let b = Self.fallbackByte(bytes) { bytes = [b] }
            case .fuse:
                fused = true
            case let .strip(content, start, stop):
                if !fused { bytes = Self.strip(bytes, Array(content.utf8), start: start, stop: stop) }
            case let .metaspace(replacement, scheme):
                let dropsAll = first && scheme != .never
                bytes = Self.replacing(bytes, Array(replacement.utf8), with: dropsAll ? [] : [0x20])
            }
        }
        return bytes
    }

    /// The byte of a `<0xHH>` token (upper- or lower-case hex), or nil.
    static func fallbackByte(_ t: [UInt8]) -> UInt8? {
        guard t.count == 6, t[0] == 0x3C, t[1] == 0x30, t[2] == 0x78, t[5] == 0x3E,
            let hi = hexValue(t[3]), let lo = hexValue(t[4])
        else { return nil }
        return hi << 4 | lo
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    static func replacing(_ bytes: [UInt8], _ from: [UInt8], with to: [UInt8]) -> [UInt8] {
        guard !from.isEmpty, bytes.count >= from.count else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if i + from.count <= bytes.count && bytes[i..<(i + from.count)].elementsEqual(from) {
                out.append(contentsOf: to)
                i += from.count
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return out
    }

    /// Removes up to `start` leading and `stop` trailing copies of `content`.
    static func strip(_ bytes: [UInt8], _ content: [UInt8], start: Int, stop: Int) -> [UInt8] {
        guard !content.isEmpty else { return bytes }
        var lo = 0
        var hi = bytes.count
        var n = 0
        while n < start && hi - lo >= content.count && bytes[lo..<(lo + content.count)].elementsEqual(content) {
            lo += content.count
            n += 1
        }
        n = 0
        while n < stop && hi - lo >= content.count && bytes[(hi - content.count)..<hi].elementsEqual(content) {
            hi -= content.count
            n += 1
        }
        return Array(bytes[lo..<hi])
    }
}
