/// How the report orders and judges evaluation metrics and stage kinds.
enum MetricStyle {
    /// Metrics where a smaller number is better; every other metric counts as higher-is-better.
    static func lowerIsBetter(_ metric: String) -> Bool {
        let m = metric.lowercased()
        return m.contains("loss") || m.contains("perplexity") || m.contains("ppl") || m.contains("forgetting")
    }

    /// Known metrics first in reading order (quality of fit, then task scores, then forgetting),
    /// others after, alphabetically.
    static func ordered(_ metrics: some Sequence<String>) -> [String] {
        let known = ["loss", "perplexity", "exact_match", "f1", "token_f1", "accuracy", "forgetting"]
        return Set(metrics).sorted { a, b in
            let ia = known.firstIndex(of: a) ?? known.count, ib = known.firstIndex(of: b) ?? known.count
            return ia != ib ? ia < ib : a.utf8.lexicographicallyPrecedes(b.utf8)
        }
    }

    /// The index of the best value in `values` (nil when fewer than two are known or all tie).
    static func best(_ values: [Double?], lowerIsBetter: Bool) -> Int? {
        let known = values.enumerated().compactMap { i, v in v.flatMap { $0.isFinite ? (i, $0) : nil } }
        guard known.count > 1 else { return nil }
        let pick = lowerIsBetter ? known.min { $0.1 < $1.1 } : known.max { $0.1 < $1.1 }
        // no winner when the best value is shared (a tie, or every model equal)
        guard let pick, known.filter({ $0.1 == pick.1 }).count == 1 else { return nil }
        return pick.0
    }

    /// Kinds that train, so have loss curves and parameter counts.
    static let trainingKinds: Set<String> = ["pretrain-continue", "domain-adapt", "instruct", "attach-adapters", "classify"]
}
