/// Keeps `unfrozen_parameters` patterns to a subset of regular expressions that match in linear
/// time. A backtracking engine takes exponential time on a quantified group that itself holds a
/// quantifier or a choice — `(a+)+`, `(a|aa)*`, `(\w+\s?)*` — and `validate` used to pass such a
/// pattern that then hung `run` while freezing the model. Everything a parameter selector needs
/// (anchors, classes, single quantifiers, unquantified groups such as `(q|k|v)_proj`) stays allowed.
enum PatternSafety {
    /// Longest pattern accepted (parameter names are short; a long pattern is a mistake).
    static let maxLength = 1_000

    /// Why `pattern` is refused, or nil when it is in the safe subset.
    static func problem(in pattern: String) -> String? {
        guard pattern.count <= maxLength else {
            return "is \(pattern.count) characters long; the limit is \(maxLength)"
        }
        let chars = Array(pattern)
        /// Per open group: whether it holds a quantifier or a `|`.
        var groups: [Bool] = []
        var lastClosedGroupIsRisky = false
        var i = 0
        while i < chars.count {
            let c = chars[i]
            var closedRisky = false
            switch c {
            case "\\":
                if i + 1 < chars.count, chars[i + 1].isNumber, chars[i + 1] != "0" {
                    return "uses a back-reference (\\\(chars[i + 1])), which can take exponential time"
                }
                i += 1
            case "[":
                // Skip the class: `]` right after `[` or `[^` is a literal.
                i += 1
                if i < chars.count, chars[i] == "^" { i += 1 }
                if i < chars.count, chars[i] == "]" { i += 1 }
                while i < chars.count, chars[i] != "]" {
                    if chars[i] == "\\" { i += 1 }
                    i += 1
                }
            case "(":
                groups.append(false)
            case ")":
                closedRisky = groups.popLast() ?? false
                if closedRisky, let last = groups.indices.last { groups[last] = true }
            case "|":
                if let last = groups.indices.last { groups[last] = true }
            case "*", "+", "?", "{":
                let repeats = c != "?" && !(c == "{" && isExactCount(chars, from: i))
                if repeats && lastClosedGroupIsRisky {
                    return "repeats a group that holds a quantifier or a '|' (a nested quantifier), which can take exponential time to match"
                }
                if let last = groups.indices.last { groups[last] = true }
            default:
                break
            }
            lastClosedGroupIsRisky = closedRisky
            i += 1
        }
        return nil
    }

    /// Whether the `{…}` at `start` is an exact count (`{3}`), which repeats nothing open-ended.
    private static func isExactCount(_ chars: [Character], from start: Int) -> Bool {
        var i = start + 1
        var digits = 0
        while i < chars.count, chars[i].isNumber { i += 1; digits += 1 }
        return digits > 0 && i < chars.count && chars[i] == "}"
    }
}
