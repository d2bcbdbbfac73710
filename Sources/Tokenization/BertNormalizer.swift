import Foundation

/// HF `tokenizers`' `BertNormalizer`, step for step: clean the text, put spaces around CJK
/// ideographs, strip accents, lowercase. Works on Unicode scalars (Rust `char`s), never on Swift
/// `Character`s, so canonically equivalent inputs stay distinct exactly as they do in HF.
///
/// - Complexity: O(n) in scalars, plus the NFD decomposition when accents are stripped.
public struct BertNormalizer: Hashable, Sendable {
    /// Drops U+0000, U+FFFD and control characters (Cc, Cf, Co, Cs except tab, newline, carriage
    /// return) and turns every whitespace character into a plain space.
    public var cleanText: Bool
    /// Surrounds each CJK ideograph with spaces so it becomes its own word.
    public var handleChineseChars: Bool
    /// `strip_accents`: NFD, then drop nonspacing marks (Mn). `nil` (the JSON `null`) follows
    /// ``lowercase``, as in HF.
    public var stripAccents: Bool?
    /// Lowercases with each scalar's full Unicode lowercase mapping (no context rules such as
    /// final sigma, like Rust's per-`char` `to_lowercase`).
    public var lowercase: Bool

    public init(cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// Whether accents are stripped: `strip_accents`, or when it is `null`, `lowercase`.
    public var stripsAccents: Bool { stripAccents ?? lowercase }

    /// Format characters (Cf) newer than the Unicode tables `tokenizers` was built with: HF treats
    /// them as ordinary characters, so `clean_text` keeps them (found by running every code point
    /// through `tokenizers` 0.22 against Python's Unicode 14 and Swift's tables).
    static let newerFormatCharacters: Set<UInt32> = [0x890, 0x891, 0x8E2, 0x110CD]

    /// The normalized scalars of `text`.
    public func normalize(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        if cleanText { scalars = Self.clean(scalars) }
        if handleChineseChars && scalars.contains(where: { Self.isChineseCharacter($0) }) {
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(scalars.count + 8)
            for s in scalars {
                if Self.isChineseCharacter(s) { out += [" ", s, " "] } else { out.append(s) }
            }
            scalars = out
        }
        if stripsAccents && scalars.contains(where: { !$0.isASCII }) {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars)
            scalars = String(view).decomposedStringWithCanonicalMapping.unicodeScalars
                .filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercase {
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(scalars.count)
            for s in scalars {
                if s.isASCII {
                    out.append(s.value >= 0x41 && s.value <= 0x5A ? Unicode.Scalar(s.value + 32)! : s)
                } else {
                    out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars)
                }
            }
            scalars = out
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    static func clean(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(scalars.count)
        for s in scalars where s.value != 0 && s.value != 0xFFFD && !isControl(s) {
            out.append(isWhitespace(s) ? " " : s)
        }
        return out
    }

    /// HF `is_whitespace`: tab, newline, carriage return, or the Unicode `White_Space` property.
    static func isWhitespace(_ s: Unicode.Scalar) -> Bool {
        s == "\t" || s == "\n" || s == "\r" || s.properties.isWhitespace
    }

    /// HF `is_control`: categories Cc, Cf, Co, Cs, except tab, newline and carriage return.
    static func isControl(_ s: Unicode.Scalar) -> Bool {
        if s == "\t" || s == "\n" || s == "\r" { return false }
        switch s.properties.generalCategory {
        case .control, .privateUse, .surrogate: return true
        case .format: return !newerFormatCharacters.contains(s.value) && !(0x13430...0x1343F).contains(s.value)
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks BERT splits on (not Hangul, Hiragana or Katakana).
    static func isChineseCharacter(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}

/// HF `tokenizers`' `BertPreTokenizer`: splits on whitespace (dropped) and makes every punctuation
/// character (ASCII punctuation, or Unicode categories Pc, Pd, Pe, Pf, Pi, Po, Ps) a word of its own.
public enum BertPreTokenizer {
    /// The words of `text`, in order. - Complexity: O(n) in scalars.
    public static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = String.UnicodeScalarView()
        func flush() {
            if !current.isEmpty { words.append(String(current)); current = String.UnicodeScalarView() }
        }
        for s in text.unicodeScalars {
            if s.properties.isWhitespace {
                flush()
            } else if isPunctuation(s) {
                flush()
                words.append(String(s))
            } else {
                current.append(s)
            }
        }
        flush()
        return words
    }

    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        if s.isASCII {
            let v = s.value
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v) || (0x7B...0x7E).contains(v)
        }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .closePunctuation, .finalPunctuation, .initialPunctuation,
            .otherPunctuation, .openPunctuation:
            return true
        default:
            return false
        }
    }
}
