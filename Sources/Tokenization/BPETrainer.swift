import Dispatch

/// Trains a byte-level BPE tokenizer (GPT-2 pre-tokenizer, 256 byte tokens, learned merges,
/// special tokens last).
///
/// Algorithm (Sennrich et al. 2016, as HF `tokenizers` implements it): count the distinct
/// pre-tokens ("words"), count adjacent token pairs weighted by word frequency, then repeatedly
/// merge the most frequent pair, updating pair counts only in the words that contain it. A max-heap
/// with lazy re-insertion finds the next pair; counts of existing pairs only ever decrease, so a
/// popped entry whose count is stale is pushed back with its true count.
///
/// Ties are broken explicitly, so the result is the same on every run and for any thread count:
/// highest count first, then the pair whose left token's bytes are lexicographically smallest, then
/// the right token's bytes. A merge whose bytes already form a token reuses that id (as HF does).
public struct BPETrainer: Sendable {
    /// GPT-2's end-of-text token, the default special token.
    public static let defaultSpecialToken = "<|endoftext|>"

    /// Target vocabulary size, counting the 256 bytes, the merges and the special tokens.
    public var vocabSize: Int
    /// Pairs seen fewer times than this are never merged (training may stop below `vocabSize`).
    public var minFrequency: Int
    /// Added tokens, given the last ids in this order.
    public var specialTokens: [String]
    /// Threads used to count words (the merge loop is sequential).
    public var threads: Int

    public init(vocabSize: Int, minFrequency: Int = 2, specialTokens: [String] = [defaultSpecialToken], threads: Int = 1) {
        self.vocabSize = vocabSize
        self.minFrequency = minFrequency
        self.specialTokens = specialTokens
        self.threads = threads
    }

    /// Trains on the given documents (raw bytes; invalid UTF-8 is fine).
    /// - Throws: ``TokenizationError/invalidTrainingConfig(_:)`` when `vocabSize` cannot hold the
    ///   256 bytes and the special tokens, or a special token is empty or repeated.
    /// - Complexity: O(total bytes) to count words, then roughly O(merges × words touched per merge).
    public func train(_ documents: [[UInt8]]) throws -> BPETokenizer {
        guard vocabSize >= 256 + specialTokens.count else {
            throw TokenizationError.invalidTrainingConfig(
                "vocab_size \(vocabSize) is too small: it must hold the 256 byte tokens and \(specialTokens.count) special token(s), so use at least \(256 + specialTokens.count)")
        }
        guard Set(specialTokens).count == specialTokens.count, !specialTokens.contains("") else {
            throw TokenizationError.invalidTrainingConfig("special_tokens must be distinct and non-empty, got \(specialTokens)")
        }
        let counts = WordCounter.count(documents, threads: max(1, threads))
        var state = MergeState(words: counts)
        var tokenBytes: [[UInt8]] = ByteLevel.baseOrder.map { [$0] }
        var idOfBytes: [[UInt8]: UInt32] = [:]
        for (id, bytes) in tokenBytes.enumerated() { idOfBytes[bytes] = UInt32(id) }
        var merges: [BPEMerge] = []
        let target = vocabSize - specialTokens.count
        var heap = PairHeap(tokenBytes: tokenBytes)
        for slot in 0..<state.pairCount.count where state.pairCount[slot] > 0 {
            heap.push(count: state.pairCount[slot], slot: Int32(slot), key: state.pairKey[slot])
        }
        while tokenBytes.count < target, let top = heap.pop() {
            let slot = Int(top.slot)
            let current = state.pairCount[slot]
            if top.count != current {
                if current > 0 { heap.push(count: current, slot: top.slot, key: state.pairKey[slot]) }
                continue
            }
            if current < Int64(minFrequency) { break }
            let left = UInt32(truncatingIfNeeded: state.pairKey[slot] >> 32)
            let right = UInt32(truncatingIfNeeded: state.pairKey[slot])
            let bytes = tokenBytes[Int(left)] + tokenBytes[Int(right)]
            let merged: UInt32
            if let existing = idOfBytes[bytes] {
                merged = existing
            } else {
                merged = UInt32(tokenBytes.count)
                tokenBytes.append(bytes)
                idOfBytes[bytes] = merged
                heap.tokenBytes.append(bytes)
            }
            merges.append(BPEMerge(Int(left), Int(right)))
            for newSlot in state.merge(slot: slot, into: merged) where state.pairCount[newSlot] > 0 {
                heap.push(count: state.pairCount[newSlot], slot: Int32(newSlot), key: state.pairKey[newSlot])
            }
        }
        var added: [AddedToken] = []
        for content in specialTokens {
            added.append(AddedToken(id: tokenBytes.count, content: content, special: true))
            tokenBytes.append(Array(content.utf8))
        }
        return try BPETokenizer(tokenBytes: tokenBytes, merges: merges, addedTokens: added, source: "trained tokenizer")
    }
}

/// A binary max-heap of (count, pair slot), ordered by count, then by the pair's token bytes.
struct PairHeap {
    struct Entry {
        var count: Int64
        var slot: Int32
        var left: UInt32
        var right: UInt32
    }
    var entries: [Entry] = []
    var tokenBytes: [[UInt8]]

    init(tokenBytes: [[UInt8]]) { self.tokenBytes = tokenBytes }

    /// True when `a` should be merged before `b`.
    func before(_ a: Entry, _ b: Entry) -> Bool {
        if a.count != b.count { return a.count > b.count }
        if a.left != b.left {
            return tokenBytes[Int(a.left)].lexicographicallyPrecedes(tokenBytes[Int(b.left)])
        }
        return tokenBytes[Int(a.right)].lexicographicallyPrecedes(tokenBytes[Int(b.right)])
    }

    mutating func push(count: Int64, slot: Int32, key: UInt64) {
        entries.append(Entry(count: count, slot: slot, left: UInt32(truncatingIfNeeded: key >> 32), right: UInt32(truncatingIfNeeded: key)))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !before(entries[i], entries[parent]) { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Entry? {
        guard let top = entries.first else { return nil }
        let last = entries.removeLast()
        if entries.isEmpty { return top }
        entries[0] = last
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var best = i
            if l < entries.count && before(entries[l], entries[best]) { best = l }
            if r < entries.count && before(entries[r], entries[best]) { best = r }
            if best == i { break }
            entries.swapAt(i, best)
            i = best
        }
        return top
    }
}
