/// "Did you mean …?" by edit distance.
public enum Suggestions {
    /// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), O(|a|·|b|).
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { best = min(best, previous2[j - 2] + 1) }
                current[j] = best
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }

    /// The closest candidate within a distance that grows with the word's length, or one that starts with
    /// the word (`pretrain` → `pretrain-continue`). Ties go to the earlier candidate.
    public static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
        let limit = max(1, min(3, word.count / 3))
        var best: (name: String, distance: Int)? = nil
        // A word more than `limit` longer than a candidate cannot be within `limit` of it: skipping it
        // keeps a 3 MB token from costing seconds per candidate.
        for candidate in candidates where candidate != word && word.utf8.count <= candidate.utf8.count * 4 + limit {
            let d = distance(word.lowercased(), candidate.lowercased())
            if d <= limit, d < (best?.distance ?? .max) { best = (candidate, d) }
        }
        if best == nil, word.count >= 3 {
            return candidates.first { $0.hasPrefix(word) || (word.hasPrefix($0) && $0.count >= 3) }
        }
        return best?.name
    }

    /// " Did you mean 'x'?" or "".
    public static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String {
        closest(to: word, in: candidates).map { " Did you mean '\($0)'?" } ?? ""
    }
}
