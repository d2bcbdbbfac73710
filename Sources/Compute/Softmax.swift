import Foundation

/// Row-wise softmax, and the fused softmax + cross-entropy with a per-position loss weight
/// (llm.c `softmax_forward`, `crossentropy_forward`, `crossentropy_softmax_backward`).
public enum Softmax {
    /// probs (n, v) = softmax(logits) per row; `probs` may alias `logits`.
    public static func forward(probs: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, n: Int, v: Int) {
        Parallel.forEachChunk(n, costPerItem: 8 * v) { rows in
            for r in rows {
                let x = logits + r * v, p = probs + r * v
                let m = VectorMath.maximum(x, v)
                // in place, so the exp loop sees one pointer and vectorises (with two it stayed scalar:
                // 4 % of a SmolLM2 step over its 49,152-wide rows)
                if UnsafePointer(p) != x { p.update(from: x, count: v) }
                let s = FastMath.expShifted(p, p, v, shift: m)
                VectorMath.scale(p, v, by: 1 / s)
            }
        }
    }

    /// dlogits (n, v) += p ⊙ (dprobs − Σ p·dprobs) per row.
    public static func backward(dlogits: UnsafeMutablePointer<Float>, probs: UnsafePointer<Float>, dprobs: UnsafePointer<Float>, n: Int, v: Int) {
        Parallel.forEachChunk(n, costPerItem: 4 * v) { rows in
            for r in rows {
                let p = probs + r * v, g = dprobs + r * v, d = dlogits + r * v
                let dot = VectorMath.dot(p, g, v)
                for i in 0..<v { d[i] += p[i] * (g[i] - dot) }
            }
        }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(_ logits: [Double], n: Int, v: Int) -> [Double] {
        var out = logits
        for r in 0..<n {
            let row = logits[(r * v)..<(r * v + v)]
            let m = row.max()!
            let z = row.reduce(0) { $0 + Foundation.exp($1 - m) }
            for i in 0..<v { out[r * v + i] = Foundation.exp(logits[r * v + i] - m) / z }
        }
        return out
    }

    /// Reference backward in Float64: returns dlogits.
    public static func backwardNaive(probs: [Double], dprobs: [Double], n: Int, v: Int) -> [Double] {
        var out = probs
        for r in 0..<n {
            var dot = 0.0
            for i in 0..<v { dot += probs[r * v + i] * dprobs[r * v + i] }
            for i in 0..<v { out[r * v + i] = probs[r * v + i] * (dprobs[r * v + i] - dot) }
        }
        return out
    }
}

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
