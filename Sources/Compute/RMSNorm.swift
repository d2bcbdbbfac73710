import Foundation

/// RMSNorm over the last dimension (Zhang & Sennrich 2019; HF `LlamaRMSNorm`): no mean subtraction and
/// no bias, out = x · rstd · weight with rstd = 1/√(mean(x²) + ε), computed in Float32 like HF's fp32 path.
public enum RMSNorm {
    /// out (n, c) = inp · rstd · weight; saves rstd (n) for backward.
    /// - Complexity: ~4·n·c FLOP.
    public static func forward(
        out: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, n: Int, c: Int, epsilon: Float
    ) {
        Parallel.forEachChunk(n, costPerItem: 4 * c) { rows in
            for r in rows {
                let x = inp + r * c, o = out + r * c
                let s = 1 / (VectorMath.sumOfSquaredDeviations(x, c, from: 0) / Float(c) + epsilon).squareRoot()
                for i in 0..<c { o[i] = weight[i] * (x[i] * s) }
                rstd[r] = s
            }
        }
    }

    /// Adds gradients: dinp (n, c) += ∂/∂x, dweight (c) += Σ_rows dout·x·rstd (nil when frozen).
    /// With y_i = w_i·x_i·s: dx_k = s·(w_k·g_k − x_k·s²·mean_i(w_i·g_i·x_i)).
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?, dout: UnsafePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, rstd: UnsafePointer<Float>, n: Int, c: Int
    ) {
        Parallel.forEachChunk(n, costPerItem: 6 * c) { rows in
            for r in rows {
                let x = inp + r * c, g = dout + r * c, dx = dinp + r * c
                let s = rstd[r]
                var dot: Float = 0
                for i in 0..<c { dot += weight[i] * g[i] * x[i] }
                let k = dot / Float(c) * s * s
                for i in 0..<c { dx[i] += s * (weight[i] * g[i] - x[i] * k) }
            }
        }
        // Each thread owns a range of channels and adds the rows in order: the same sums for every thread count.
        if let dweight {
            Parallel.forEachChunk(c, costPerItem: 2 * n) { channels in
                for r in 0..<n {
                    let x = inp + r * c, g = dout + r * c, s = rstd[r]
                    for i in channels { dweight[i] += g[i] * x[i] * s }
                }
            }
        }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(out: inout [Double], inp: [Double], weight: [Double], n: Int, c: Int, epsilon: Double) {
        for r in 0..<n {
            var ss = 0.0
            for i in 0..<c { ss += inp[r * c + i] * inp[r * c + i] }
            let s = 1 / (ss / Double(c) + epsilon).squareRoot()
            for i in 0..<c { out[r * c + i] = weight[i] * inp[r * c + i] * s }
        }
    }

    /// Reference backward in Float64 (straight from the chain rule, not the fast kernel's formula); adds.
    public static func backwardNaive(
        dinp: inout [Double], dweight: inout [Double], dout: [Double], inp: [Double], weight: [Double],
        n: Int, c: Int, epsilon: Double
    ) {
        for r in 0..<n {
            var ss = 0.0
            for i in 0..<c { ss += inp[r * c + i] * inp[r * c + i] }
            let ms = ss / Double(c) + epsilon
            let s = 1 / ms.squareRoot()
            // ∂s/∂x_k = −x_k / (c · ms^{3/2})
            var sum = 0.0
            for i in 0..<c { sum += dout[r * c + i] * weight[i] * inp[r * c + i] }
            for k in 0..<c {
                let dsdx = -inp[r * c + k] / (Double(c) * ms * ms.squareRoot())
                dinp[r * c + k] += dout[r * c + k] * weight[k] * s + sum * dsdx
                dweight[k] += dout[r * c + k] * inp[r * c + k] * s
            }
        }
    }
}
