/// Escaping for the HTML/SVG the report writes. Stage names, dataset paths, prompts and sample
/// text come from users and models, so every piece of text goes through ``text(_:)`` and every
/// attribute value through ``attribute(_:)``; nothing user-supplied is ever written raw.
///
/// The page is XHTML-compatible (every element closed, no named entities but XML's five), so an
/// XML parser can check it; that is why control characters XML forbids are replaced too.
public enum Markup {
    /// Text content: `&`, `<`, `>` escaped; characters XML 1.0 forbids become U+FFFD.
    public static func text(_ s: String) -> String { escape(s, quotes: false) }

    /// An attribute value (always written in double quotes): also escapes `"` and `'`.
    public static func attribute(_ s: String) -> String { escape(s, quotes: true) }

    private static func escape(_ s: String, quotes: Bool) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"" where quotes: out += "&quot;"
            case "'" where quotes: out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            case _ where scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF:
                out += "\u{FFFD}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// A number for an SVG coordinate: at most one decimal, no exponent, `.` decimal point.
    static func coordinate(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        if r == r.rounded() { return String(Int(r)) }
        return Units.fixed(r, 1)
    }

    /// A model's label for a fixed-size box: a model named by its path (`../models/smollm2/SmolLM2.Q4_1.gguf`)
    /// is shown by its file or folder name without a weights extension (`SmolLM2.Q4_1`), since the start of
    /// a relative path says nothing; then ``truncate(_:_:)``.
    static func modelLabel(_ label: String, _ limit: Int) -> String {
        guard label.contains("/") else { return truncate(label, limit) }
        var name = label.split(separator: "/").last.map(String.init) ?? label
        for ext in [".gguf", ".safetensors"] where name.hasSuffix(ext) { name.removeLast(ext.count) }
        return truncate(name, limit)
    }

    /// Shortens `s` to at most `limit` characters with an ellipsis (for labels in fixed-size boxes).
    static func truncate(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(max(1, limit - 1))) + "…"
    }
}
