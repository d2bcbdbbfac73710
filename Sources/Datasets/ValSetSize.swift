/// `val_set_size`: a fraction of the documents (< 1) or a count (≥ 1).
public enum ValSetSize: Sendable, Hashable, Codable {
    case fraction(Double)
    case count(Int)

    /// Axolotl's rule: values below 1 are fractions, 1 and above are counts.
    public init(_ value: Double) {
        self = value < 1 ? .fraction(value) : .count(Int(value))
    }

    /// How many of `total` documents go to validation (at most `total - 1` when `total > 1`, so
    /// training keeps at least one; a non-zero fraction takes at least one).
    public func validationCount(of total: Int) -> Int {
        let wanted: Int
        switch self {
        case let .fraction(f): wanted = f <= 0 ? 0 : max(1, Int((Double(total) * f).rounded()))
        case let .count(n): wanted = max(0, n)
        }
        return min(wanted, max(0, total - 1))
    }

    /// Which of `count` items to hold out: a Fisher–Yates shuffle driven by ``SplitMix64`` (bias-free
    /// bounded draws) picks ``validationCount(of:)`` indices. The same seed and size give the same set
    /// on every machine.
    /// - Complexity: O(count).
    public func heldOut(of count: Int, seed: UInt64) -> Set<Int> {
        var order = Array(0..<count)
        var rng = SplitMix64(seed: seed)
        if count > 1 {
            for i in stride(from: count - 1, to: 0, by: -1) {
                order.swapAt(i, Int(rng.next(below: UInt64(i + 1))))
            }
        }
        return Set(order.prefix(validationCount(of: count)))
    }

    /// `items` split by ``heldOut(of:seed:)`` into training and validation, each in the original order.
    public func split<Item>(_ items: [Item], seed: UInt64) -> (train: [Item], validation: [Item]) {
        let held = heldOut(of: items.count, seed: seed)
        return (items.indices.filter { !held.contains($0) }.map { items[$0] }, items.indices.filter { held.contains($0) }.map { items[$0] })
    }
}
