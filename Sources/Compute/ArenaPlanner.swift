/// Hands out consecutive views while building an arena's layout (64-byte aligned offsets).
public struct ArenaPlanner: Sendable {
    public private(set) var total = 0
    public init() {}
    /// Reserves `shape` and returns its view.
    public mutating func reserve(_ shape: [Int]) -> TensorView {
        let view = TensorView(offset: total, shape: shape)
        total += (view.count + 15) / 16 * 16
        return view
    }
}
