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
