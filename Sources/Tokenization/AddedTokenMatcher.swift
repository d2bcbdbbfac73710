/// Finds added tokens in text the way HF's `AddedVocabulary` does: leftmost-longest matches that
/// never overlap, then each token's `single_word` check and `lstrip` / `rstrip` widening.
///
/// A tokenizer has two: one for tokens matched in the raw text (`normalized: false`, e.g. every
/// special token of SmolLM2 and Llama), one for tokens matched in each normalized stretch, whose
/// patterns are their contents normalized.
///
/// - Complexity: O(n · k) for k tokens sharing a first byte; real files have a handful per byte.
struct AddedTokenMatcher: Sendable {
    /// The bytes each entry matches and its id and flags.
    var patterns: [[UInt8]] = []
    var tokens: [AddedToken] = []
    /// `byFirstByte[b]`: indexes of the patterns starting with `b`.
    var byFirstByte = [[Int]](repeating: [], count: 256)

    var isEmpty: Bool { patterns.isEmpty }

    mutating func add(_ pattern: [UInt8], _ token: AddedToken) {
        guard let first = pattern.first else { return }
        byFirstByte[Int(first)].append(patterns.count)
        patterns.append(pattern)
        tokens.append(token)
    }

    /// Calls `text(start, end)` for each stretch of ordinary text and `token(id)` for each match,
    /// in order; empty stretches are skipped.
    func split(_ p: UnsafeBufferPointer<UInt8>, text: (Int, Int) -> Void, token: (UInt32) -> Void) {
        var offset = 0
        var i = 0
        let n = p.count
        while i < n {
            var best = -1
            var bestLength = 0
            for k in byFirstByte[Int(p[i])] {
                let c = patterns[k]
                guard c.count > bestLength, i + c.count <= n else { continue }
                if c.withUnsafeBufferPointer({ memoryEqual($0.baseAddress!, p.baseAddress! + i, c.count) }) {
                    best = k
                    bestLength = c.count
                }
            }
            guard best >= 0 else { i += 1; continue }
            var start = i
            var stop = i + bestLength
            i = stop
            let t = tokens[best]
            if t.singleWord && (Self.wordCharacter(endingAt: start, p) || Self.wordCharacter(startingAt: stop, p)) { continue }
            if t.lstrip {
                var s = start
                while let l = Self.whitespace(endingAt: s, p) { s -= l }
                start = max(s, offset)
            }
            if t.rstrip {
                while stop < n, let l = Self.whitespace(startingAt: stop, p) { stop += l }
                i = stop
            }
            if start > offset { text(offset, start) }
            token(UInt32(t.id))
            offset = stop
        }
        if n > offset { text(offset, n) }
    }

    /// The character that ends just before `i`, decoded backwards (nil at the start or on bad UTF-8).
    static func character(endingAt i: Int, _ p: UnsafeBufferPointer<UInt8>) -> (PreTokenizer.CharClass, Int)? {
        guard i > 0 else { return nil }
        var s = i - 1
        while s > 0 && i - s < 4 && p[s] & 0xC0 == 0x80 { s -= 1 }
        let (c, l) = PreTokenizer.classify(UnsafeBufferPointer(rebasing: p[..<i]), at: s)
        return s + l == i ? (c, l) : (.other, 1)
    }

    static func wordCharacter(endingAt i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let (c, _) = character(endingAt: i, p) else { return false }
        return c == .letter || c == .number || p[i - 1] == 0x5F
    }

    static func wordCharacter(startingAt i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard i < p.count else { return false }
        let (c, _) = PreTokenizer.classify(p, at: i)
        return c == .letter || c == .number || p[i] == 0x5F
    }

    static func whitespace(endingAt i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let (c, l) = character(endingAt: i, p), c == .whitespace else { return nil }
        return l
    }

    static func whitespace(startingAt i: Int, _ p: UnsafeBufferPointer<UInt8>) -> Int? {
        let (c, l) = PreTokenizer.classify(p, at: i)
        return c == .whitespace ? l : nil
    }
}
