/// What one optimizer step did.
public struct StepReport: Sendable, Hashable {
    /// Optimizer steps completed, including this one (1-based).
    public var step: Int
    /// Mean loss over this step's targets (all micro-batches).
    public var loss: Float
    /// Learning rate used for this step.
    public var learningRate: Float
    /// Global gradient norm before clipping.
    public var gradNorm: Float
    /// Input tokens processed per second of wall time in this step (B·T·accumulation / seconds).
    public var tokensPerSecond: Double
    /// Target tokens that carried loss in this step.
    public var targetTokens: Int
    /// Epochs of the data completed so far (fractional).
    public var epoch: Double
}

/// What the progress callback wants next.
public enum TrainingDisposition: Sendable { case proceed, stop }
