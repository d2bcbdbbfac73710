import Foundation

/// LayerNorm over the last dimension (PyTorch `nn.LayerNorm`; llm.c `layernorm_forward/backward`).
public enum LayerNorm {
    /// out (n, c) = (inp − mean)·rstd·weight + bias; saves mean (n) and rstd (n) for backward.
    /// - Complexity: ~8·n·c FLOP.
    public static func forward(
        out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
        inp: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>,
        n: Int, c: Int, epsilon: Float
    ) {
        Parallel.forEachChunk(n, costPerItem: 8 * c) { rows in
            for r in rows {
                let x = inp + r * c, o = out + r * c
                let m = VectorMath.sum(x, c) / Float(c)
                let v = VectorMath.sumOfSquaredDeviations(x, c, from: m) / Float(c)
                let s = 1 / (v + epsilon).squareRoot()
                for i in 0..<c { o[i] = (x[i] - m) * s * weight[i] + bias[i] }
                mean[r] = m
                rstd[r] = s
            }
        }
    }

    /// Adds gradients: dinp (n, c), dweight (c), dbias (c) (weight/bias grads may be nil when frozen).
    public static func backward(
        dinp: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        mean: UnsafePointer<Float>, rstd: UnsafePointer<Float>, n: Int, c: Int
    ) {
        Parallel.forEachChunk(n, costPerItem: 10 * c) { rows in
            for r in rows {
                let x = inp + r * c, g = dout + r * c, dx = dinp + r * c
                let m = mean[r], s = rstd[r]
                // the two reductions of the LayerNorm backward formula
                var dnormMean: Float = 0, dnormNormMean: Float = 0
                for i in 0..<c {
                    let norm = (x[i] - m) * s
                    let dnorm = weight[i] * g[i]
                    dnormMean += dnorm
                    dnormNormMean += dnorm * norm
                }
                dnormMean /= Float(c)
                dnormNormMean /= Float(c)
                for i in 0..<c {
                    let norm = (x[i] - m) * s
                    let dnorm = weight[i] * g[i]
                    dx[i] += (dnorm - dnormMean - norm * dnormNormMean) * s
                }
            }
        }
        // Parameter gradients sum over rows: each thread owns a range of channels and adds the rows in
        // order, so the sums are the same for every thread count.
        if dweight != nil || dbias != nil {
            Parallel.forEachChunk(c, costPerItem: 3 * n) { channels in
                let lo = channels.lowerBound, width = channels.count
                for r in 0..<n {
                    let x = inp + r * c + lo, g = dout + r * c + lo
                    let m = mean[r], s = rstd[r]
                    if let dbias { VectorMath.axpy(1, g, dbias + lo, width) }
                    if let dweight {
                        let dw = dweight + lo
                        for i in 0..<width { dw[i] += (x[i] - m) * s * g[i] }
                    }
                }
            }
        }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(
        out: inout [Double], inp: [Double], weight: [Double], bias: [Double], n: Int, c: Int, epsilon: Double
    ) {
        for r in 0..<n {
            let row = inp[(r * c)..<(r * c + c)]
            let m = row.reduce(0, +) / Double(c)
            let v = row.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(c)
            let s = 1 / (v + epsilon).squareRoot()
            for i in 0..<c { out[r * c + i] = (inp[r * c + i] - m) * s * weight[i] + bias[i] }
        }
    }

    /// Reference backward in Float64; adds into the gradients.
    public static func backwardNaive(
        dinp: inout [Double], dweight: inout [Double], dbias: inout [Double],
        dout: [Double], inp: [Double], weight: [Double], n: Int, c: Int, epsilon: Double
    ) {
        for r in 0..<n {
            let row = inp[(r * c)..<(r * c + c)]
            let m = row.reduce(0, +) / Double(c)
            let v = row.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(c)
            let s = 1 / (v + epsilon).squareRoot()
            var a = 0.0, b = 0.0
            for i in 0..<c {
                let norm = (inp[r * c + i] - m) * s
                a += weight[i] * dout[r * c + i]
                b += weight[i] * dout[r * c + i] * norm
            }
            a /= Double(c); b /= Double(c)
            for i in 0..<c {
                let norm = (inp[r * c + i] - m) * s
                let dnorm = weight[i] * dout[r * c + i]
                dinp[r * c + i] += (dnorm - a - norm * b) * s
                dweight[i] += norm * dout[r * c + i]
                dbias[i] += dout[r * c + i]
            }
        }
    }
}
