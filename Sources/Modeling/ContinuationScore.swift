import Foundation

/// Log-likelihood of a continuation given a context (for multiple-choice scoring, as lm-eval-harness).
public struct ContinuationScore: Sendable, Hashable {
    /// Σ log p(continuation token | everything before it), natural log.
    public var logLikelihood: Double
    /// Whether every continuation token was the model's argmax.
    public var isGreedy: Bool
    /// Continuation tokens scored.
    public var tokenCount: Int
}
