/// The trainer's working set: every distinct word as a token sequence, and the weighted count of
/// every adjacent pair with the words it occurs in.
struct MergeState {
    /// All words' tokens, back to back; word `w` is `symbols[start[w] ..< start[w] + length[w]]`.
    var symbols: [UInt32] = []
    var start: [Int] = []
    var length: [Int] = []
    var frequency: [Int64] = []

    /// Pair → slot index into the arrays below.
    var slots = PairTable(capacity: 1 << 16)
    var pairKey: [UInt64] = []
    var pairCount: [Int64] = []
    /// Words that contain (or once contained) the pair; may hold stale entries, never misses one.
    var pairWords: [[UInt32]] = []

    init(words: ByteTable) {
        words.arena.withUnsafeBufferPointer { arena in
            for s in 0..<words.hashes.count where words.hashes[s] != 0 {
                let from = Int(words.keyStart[s])
                start.append(symbols.count)
                length.append(Int(words.keyLength[s]))
                frequency.append(Int64(words.values[s]))
                for i in from..<(from + Int(words.keyLength[s])) {
                    symbols.append(ByteLevel.baseId[Int(arena[i])])
                }
            }
        }
        for w in 0..<start.count {
            let s = start[w]
            for i in s..<(s + length[w] - 1) {
                let slot = slotFor(symbols[i], symbols[i + 1])
                pairCount[slot] += frequency[w]
                if pairWords[slot].last != UInt32(w) { pairWords[slot].append(UInt32(w)) }
            }
        }
    }

    /// The slot of pair (a, b), created with count 0 if new.
    mutating func slotFor(_ a: UInt32, _ b: UInt32) -> Int {
        let key = PairTable.key(a, b)
        if let slot = slots.get(key) { return Int(slot) }
        let slot = pairKey.count
        slots.set(key, UInt64(slot))
        pairKey.append(key)
        pairCount.append(0)
        pairWords.append([])
        return slot
    }

    /// Merges every occurrence of the pair in `slot` into token `merged` (left to right, no
    /// overlaps) and updates pair counts. Returns the slots of pairs that contain `merged` (the
    /// only pairs whose count can have grown), sorted, without duplicates.
    mutating func merge(slot: Int, into merged: UInt32) -> [Int] {
        let a = UInt32(truncatingIfNeeded: pairKey[slot] >> 32)
        let b = UInt32(truncatingIfNeeded: pairKey[slot])
        let words = pairWords[slot]
        pairWords[slot] = []
        var created: [Int] = []
        for w32 in words {
            let w = Int(w32)
            let s = start[w]
            let n = length[w]
            var contains = false
            for i in s..<(s + n - 1) where symbols[i] == a && symbols[i + 1] == b {
                contains = true
                break
            }
            if !contains { continue }
            let f = frequency[w]
            for i in s..<(s + n - 1) { pairCount[slotFor(symbols[i], symbols[i + 1])] -= f }
            var out = s
            var i = s
            while i < s + n {
                if i + 1 < s + n && symbols[i] == a && symbols[i + 1] == b {
                    symbols[out] = merged
                    i += 2
                } else {
                    symbols[out] = symbols[i]
                    i += 1
                }
                out += 1
            }
            let m = out - s
            length[w] = m
            for i in s..<(s + m - 1) {
                let x = symbols[i]
                let y = symbols[i + 1]
                let p = slotFor(x, y)
                pairCount[p] += f
                if x == merged || y == merged {
                    if pairWords[p].last != w32 { pairWords[p].append(w32) }
                    created.append(p)
                }
            }
        }
        return Array(Set(created)).sorted()
    }
}
