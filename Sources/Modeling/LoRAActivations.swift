import Compute

/// What the adapters' forward saves for backward, for one n = B·T: per target the hidden x·Aᵀ (n, r) and,
/// with dropout, the mask (n, in) and the dropped input (n, in); plus shared backward scratch.
final class LoRAActivations {
    let n: Int
    let arena: Arena
    let hidden: [TensorView], mask: [TensorView?], dropped: [TensorView?]
    let dhidden: TensorView, dinput: TensorView
    /// Whether the last forward applied dropout to each target (backward must mask the same way).
    var droppedOut: [Bool]

    init(adapters: LoRAAdapters, n: Int) {
        self.n = n
        let r = adapters.config.rank, withDropout = adapters.config.dropout > 0
        var p = ArenaPlanner()
        hidden = adapters.targets.map { _ in p.reserve([n, r]) }
        mask = adapters.targets.map { withDropout ? p.reserve([n, $0.inFeatures]) : nil }
        dropped = adapters.targets.map { withDropout ? p.reserve([n, $0.inFeatures]) : nil }
        dhidden = p.reserve([n, r])
        dinput = p.reserve([n, withDropout ? adapters.targets.map(\.inFeatures).max() ?? 0 : 0])
        arena = Arena(count: p.total)
        droppedOut = [Bool](repeating: false, count: adapters.targets.count)
    }

    @inline(__always) func ptr(_ v: TensorView) -> UnsafeMutablePointer<Float> { arena.base + v.offset }
}
