/// String comparisons behind `exact_match`, `token_f1` and label `accuracy` (pure functions, no model).
///
/// - exact match: both strings with every whitespace run collapsed to one space and the ends trimmed,
///   then compared case-sensitively.
/// - token F1: SQuAD v1.1's `f1_score` — lower-case, drop punctuation and symbols, drop the articles
///   a/an/the, split on whitespace, then F1 of the multiset overlap; two empty answers score 1, one
///   empty answer scores 0 (SQuAD v2's convention).
/// - label match: the answer's first non-blank line equals the label, or — for a one-word label — the
///   answer's first word does; both lower-cased with surrounding punctuation removed.
public enum AnswerScoring {
    /// `s` with whitespace runs collapsed to one space and trimmed. O(n).
    public static func normalizedWhitespace(_ s: String) -> String {
        s.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    public static func exactMatch(_ answer: String, _ reference: String) -> Bool {
        normalizedWhitespace(answer) == normalizedWhitespace(reference)
    }

    /// SQuAD's answer normalisation, as tokens.
    public static func squadTokens(_ s: String) -> [String] {
        let kept = String(s.lowercased().unicodeScalars.filter { !$0.properties.isPunctuationOrSymbol }.map(Character.init))
        return kept.split(whereSeparator: \.isWhitespace).map(String.init).filter { !["a", "an", "the"].contains($0) }
    }

    /// Token-overlap F1 in [0, 1]. O(n + m).
    public static func tokenF1(_ answer: String, _ reference: String) -> Double {
        let predicted = squadTokens(answer), gold = squadTokens(reference)
        if predicted.isEmpty || gold.isEmpty { return predicted.isEmpty && gold.isEmpty ? 1 : 0 }
        var counts: [String: Int] = [:]
        for token in gold { counts[token, default: 0] += 1 }
        var same = 0
        for token in predicted where (counts[token] ?? 0) > 0 {
            counts[token]! -= 1
            same += 1
        }
        guard same > 0 else { return 0 }
        let precision = Double(same) / Double(predicted.count), recall = Double(same) / Double(gold.count)
        return 2 * precision * recall / (precision + recall)
    }

    /// Lower-cased, whitespace-collapsed, surrounding punctuation removed.
    static func labelForm(_ s: String) -> String {
        normalizedWhitespace(s.lowercased()).trimmingPunctuation()
    }

    /// Whether a generated `answer` gives `label` (see the type's summary).
    public static func labelMatch(_ answer: String, label: String) -> Bool {
        let want = labelForm(label)
        let firstLine = answer.split(whereSeparator: \.isNewline).first { !normalizedWhitespace(String($0)).isEmpty }
            .map(String.init) ?? ""
        if labelForm(firstLine) == want { return true }
        guard !want.isEmpty, !want.contains(" ") else { return false }
        let firstWord = firstLine.split(whereSeparator: \.isWhitespace).first.map { String($0).lowercased().trimmingPunctuation() }
        return firstWord == want
    }
}

extension Unicode.Scalar.Properties {
    var isPunctuationOrSymbol: Bool {
        switch generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            return true
        default:
            return false
        }
    }
}

extension String {
    /// Without leading and trailing punctuation or symbols.
    func trimmingPunctuation() -> String {
        let scalars = Array(unicodeScalars)
        var start = 0, end = scalars.count
        while start < end && scalars[start].properties.isPunctuationOrSymbol { start += 1 }
        while end > start && scalars[end - 1].properties.isPunctuationOrSymbol { end -= 1 }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: scalars[start..<end])
        return String(out)
    }
}
