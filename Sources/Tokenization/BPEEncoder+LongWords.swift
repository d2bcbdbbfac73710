/// HF's `Word::merge_all` for long symbol runs: a linked list of symbols and a min-heap of
/// candidate merges ordered by (rank, position); an entry whose pair has changed since it was
/// pushed is skipped unless the new pair makes the same token, exactly as HF checks it.
///
/// - Complexity: O(m log m) for m initial symbols.
extension BPEEncoder {
    mutating func mergeLong() -> Int {
        let table = tokenizer.mergeTable
        let n = symbols.count
        var next = [Int](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = i + 1 }; c = n }
        var prev = [Int](unsafeUninitializedCapacity: n) { b, c in for i in 0..<n { b[i] = i - 1 }; c = n }
        var alive = [Bool](repeating: true, count: n)
        var heap = MergeHeap()
        for i in 0..<(n - 1) {
            if let v = table.get(PairTable.key(symbols[i], symbols[i + 1])) { heap.push(v, pos: i) }
        }
        while let (v, pos) = heap.pop() {
            guard alive[pos], next[pos] < n else { continue }
            let right = next[pos]
            guard let current = table.get(PairTable.key(symbols[pos], symbols[right])),
                UInt32(truncatingIfNeeded: current) == UInt32(truncatingIfNeeded: v)
            else { continue }
            symbols[pos] = UInt32(truncatingIfNeeded: v)
            alive[right] = false
            next[pos] = next[right]
            if next[right] < n { prev[next[right]] = pos }
            if prev[pos] >= 0, let m = table.get(PairTable.key(symbols[prev[pos]], symbols[pos])) { heap.push(m, pos: prev[pos]) }
            if next[pos] < n, let m = table.get(PairTable.key(symbols[pos], symbols[next[pos]])) { heap.push(m, pos: pos) }
        }
        var w = 0
        for i in 0..<n where alive[i] {
            symbols[w] = symbols[i]
            w += 1
        }
        return w
    }
}

/// A binary min-heap of merge candidates keyed by (rank, position), each carrying its merged id.
struct MergeHeap {
    /// `rank << 32 | position`, and the merged id, in heap order.
    var keys: [UInt64] = []
    var ids: [UInt32] = []

    /// Pushes the merge-table value `v` (`rank << 32 | mergedId`) at `pos`.
    mutating func push(_ v: UInt64, pos: Int) {
        keys.append((v >> 32) << 32 | UInt64(pos))
        ids.append(UInt32(truncatingIfNeeded: v))
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard keys[i] < keys[parent] else { break }
            keys.swapAt(i, parent)
            ids.swapAt(i, parent)
            i = parent
        }
    }

    /// Pops the lowest (rank, position): returns `rank << 32 | mergedId` and the position.
    mutating func pop() -> (UInt64, Int)? {
        guard let top = keys.first else { return nil }
        let id = ids[0]
        let last = keys.count - 1
        keys.swapAt(0, last)
        ids.swapAt(0, last)
        keys.removeLast()
        ids.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1
            let r = l + 1
            var m = i
            if l < keys.count && keys[l] < keys[m] { m = l }
            if r < keys.count && keys[r] < keys[m] { m = r }
            if m == i { break }
            keys.swapAt(i, m)
            ids.swapAt(i, m)
            i = m
        }
        return ((top >> 32) << 32 | UInt64(id), Int(top & 0xFFFF_FFFF))
    }
}
