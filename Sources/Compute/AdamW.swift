import Foundation

/// AdamW with decoupled weight decay, in PyTorch's `torch.optim.AdamW` order: decay the weight by
/// (1 − lr·wd), then step by lr·m̂/(√v̂ + eps) (Loshchilov & Hutter 2019).
public enum AdamW {
    /// One update of `n` parameters. `step` counts from 1. `decay` false means weight decay is not applied
    /// (biases, LayerNorm gains: < 2-D tensors). m, v are this range's first and second moments.
    /// - Complexity: ~12·n FLOP, elementwise (parallel over disjoint ranges).
    public static func update(
        params: UnsafeMutablePointer<Float>, grads: UnsafePointer<Float>,
        m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>, n: Int,
        learningRate lr: Float, settings s: AdamWSettings, decay: Bool, step: Int
    ) {
        let bc1 = 1 - Float(pow(Double(s.beta1), Double(step)))
        let bc2 = 1 - Float(pow(Double(s.beta2), Double(step)))
        let stepSize = lr / bc1
        let bc2Sqrt = bc2.squareRoot()
        let shrink = decay ? 1 - lr * s.weightDecay : 1
        let b1 = s.beta1, b2 = s.beta2, eps = s.epsilon
        Parallel.forEachChunk(n, costPerItem: 12) { r in
            for i in r {
                let g = grads[i]
                let mi = b1 * m[i] + (1 - b1) * g
                let vi = b2 * v[i] + (1 - b2) * g * g
                m[i] = mi
                v[i] = vi
                params[i] = params[i] * shrink - stepSize * mi / (vi.squareRoot() / bc2Sqrt + eps)
            }
        }
    }

    /// Reference update in Float64 (same formula, arrays updated in place).
    public static func updateNaive(
        params: inout [Double], grads: [Double], m: inout [Double], v: inout [Double],
        learningRate lr: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, step: Int
    ) {
        for i in params.indices {
            m[i] = beta1 * m[i] + (1 - beta1) * grads[i]
            v[i] = beta2 * v[i] + (1 - beta2) * grads[i] * grads[i]
            let mhat = m[i] / (1 - pow(beta1, Double(step)))
            let vhat = v[i] / (1 - pow(beta2, Double(step)))
            params[i] = params[i] * (1 - lr * weightDecay) - lr * mhat / (vhat.squareRoot() + epsilon)
        }
    }
}
