/// JSON string literals written the way `serde_json` writes them, which is how HF `tokenizers` and the
/// `safetensors` library write `tokenizer.json` and headers: `"` and `\` escaped, the short escapes
/// `\b \f \n \r \t`, any other control character as `\u00xx` (lower-case hex), everything else raw
/// UTF-8 (no `\/`, no `\u` for non-ASCII). One writer for every JSON file Lathe produces, so they agree
/// byte for byte.
public enum JSONString {
    /// Appends `s` as a quoted JSON string literal. O(length); text with nothing to escape (keys, hashes,
    /// paths: nearly all of it) is appended whole.
    public static func append(_ s: String, to out: inout String) {
        out.append("\"")
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out.append(s)
            out.append("\"")
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out.append("\\\"")
            case "\\": out.append("\\\\")
            case "\u{08}": out.append("\\b")
            case "\u{0C}": out.append("\\f")
            case "\n": out.append("\\n")
            case "\r": out.append("\\r")
            case "\t": out.append("\\t")
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out.append("\"")
    }

    /// `s` as a quoted JSON string literal.
    public static func quoted(_ s: String) -> String {
        var out = ""
        append(s, to: &out)
        return out
    }
}
