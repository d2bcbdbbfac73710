/// What a finished stage reports besides its files.
public struct StageOutcome: Sendable, Equatable {
    /// Headline metrics recorded in the lock file (`val_loss`, `exact_match`…).
    public var metrics: [String: Double]
    /// Cost figures (`tokens`, `flops`, `trainable_params`, `peak_rss_mib`…); the executor adds `wall_s`.
    public var cost: [String: Double]
    /// What computed it (`cpu`, `blas_kernels`, `threads`), recorded in the lock entry so that a result
    /// recorded on another machine is told apart from a damaged entry.
    public var machine: [String: String]

    public init(metrics: [String: Double] = [:], cost: [String: Double] = [:], machine: [String: String] = [:]) {
        self.metrics = metrics
        self.cost = cost
        self.machine = machine
    }
}
