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

    /// Shortens `s` to at most `limit` characters with an ellipsis (for labels in fixed-size boxes).
    static func truncate(_ s: String, _ limit: Int) -> String {
        s.count <= limit ? s : String(s.prefix(max(1, limit - 1))) + "…"
    }
}
