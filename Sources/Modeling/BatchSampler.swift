import Compute

/// Deterministic row order over epochs. Its whole state is `cursor` (rows consumed so far): the order
/// of epoch e is a Fisher–Yates shuffle seeded by (seed, e), recomputed on demand, so a checkpoint only
/// needs the cursor to resume exactly.
public struct BatchSampler: Sendable {
    public let rowCount: Int
    public let seed: UInt64
    public let shuffle: Bool
    /// Rows consumed so far (the data cursor).
    public var cursor: Int = 0
    private var order: [Int]
    private var orderEpoch = -1

    public init(rowCount: Int, seed: UInt64, shuffle: Bool = true) {
        self.rowCount = rowCount; self.seed = seed; self.shuffle = shuffle
        order = Array(0..<rowCount)
    }

    /// Epochs completed (fractional progress is cursor % rowCount).
    public var epoch: Int { cursor / rowCount }

    /// The next row index; advances the cursor. Refills the order buffer in place at an epoch change.
    public mutating func next() -> Int {
        let e = cursor / rowCount, i = cursor % rowCount
        if shuffle && e != orderEpoch {
            for k in 0..<rowCount { order[k] = k }
            var rng = SeededGenerator(seed: seed &+ 0x5851_F42D_4C95_7F2D &* UInt64(e + 1))
            if rowCount > 1 {
                for k in stride(from: rowCount - 1, to: 0, by: -1) {
                    let j = Int(rng.next() % UInt64(k + 1))
                    order.swapAt(k, j)
                }
            }
            orderEpoch = e
        }
        cursor += 1
        return shuffle ? order[i] : i
    }
}
