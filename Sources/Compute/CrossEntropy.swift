import Foundation

/// Cross-entropy on softmax probabilities with a loss weight per position: the loss is
/// Σ weights[i]·(−log probs[i, targets[i]]). For a masked mean, weights = mask / Σ mask, so ignored
/// positions (weight 0) contribute nothing to the loss or the gradient.
public enum CrossEntropy {
    /// losses (n) = −log probs[i, targets[i]] (0 where the target is negative = ignored).
    public static func forward(losses: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, targets: UnsafePointer<Int32>, n: Int, v: Int) {
        for i in 0..<n {
            let t = Int(targets[i])
            losses[i] = t < 0 ? 0 : -logf(max(probs[i * v + t], Float.leastNormalMagnitude))
        }
    }

    /// dlogits (n, v) = weights[i]·(probs − onehot(target)); overwrites (not adds), and may alias `probs`.
    public static func softmaxBackward(
        dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, targets: UnsafePointer<Int32>,
        weights: UnsafePointer<Float>, n: Int, v: Int
    ) {
        Parallel.forEachChunk(n, costPerItem: 2 * v) { rows in
            for r in rows {
                let w = weights[r], p = probs + r * v, d = dlogits + r * v
                for i in 0..<v { d[i] = w * p[i] }
                let t = Int(targets[r])
                if t >= 0 { d[t] -= w }
            }
        }
    }

    /// Reference: weighted loss Σ w_i·(−log softmax(logits_i)[t_i]) and its gradient w.r.t. logits, Float64.
    public static func naive(logits: [Double], targets: [Int32], weights: [Double], n: Int, v: Int) -> (loss: Double, dlogits: [Double]) {
        let p = Softmax.forwardNaive(logits, n: n, v: v)
        var loss = 0.0
        var d = [Double](repeating: 0, count: n * v)
        for i in 0..<n where targets[i] >= 0 {
            let t = Int(targets[i])
            loss += weights[i] * -Foundation.log(p[i * v + t])
            for j in 0..<v { d[i * v + j] = weights[i] * (p[i * v + j] - (j == t ? 1 : 0)) }
        }
        return (loss, d)
    }
}
