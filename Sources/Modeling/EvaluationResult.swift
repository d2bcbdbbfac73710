import Foundation

/// Mean loss over a data set.
public struct EvaluationResult: Sendable, Hashable {
    /// Mean −log p(target) over every target that carries loss, in nats.
    public var meanLoss: Double
    /// exp(meanLoss).
    public var perplexity: Double { Foundation.exp(meanLoss) }
    /// Targets averaged over.
    public var targetTokens: Int
}
