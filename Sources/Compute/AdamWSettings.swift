import Foundation

/// The constants of ``AdamW``: moment decay rates β₁, β₂, the denominator's ε and the decoupled weight
/// decay (0 = none), with PyTorch's defaults.
public struct AdamWSettings: Sendable, Hashable, Codable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float
    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0.0) {
        self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon; self.weightDecay = weightDecay
    }
}
