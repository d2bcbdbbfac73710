import Foundation

/// The gated MLP activation of Llama-family blocks (Shazeer 2020, "GLU Variants"): h = silu(gate) · up,
/// silu(g) = g·σ(g). Input rows hold [gate | up] side by side (the fused gate_proj/up_proj product), so
/// `inp` is (n, 2·f) and `out` is (n, f).
public enum SwiGLU {
    /// σ(x) with ``FastMath/exp(_:)`` (vectorises; libm's scalar expf was ~2 % of a SmolLM2 LoRA step).
    @inline(__always) static func sigmoid(_ x: Float) -> Float { 1 / (1 + FastMath.exp(-x)) }

    /// out (n, f) = silu(inp[:, :f]) · inp[:, f:].
    /// - Complexity: ~6·n·f FLOP plus n·f exponentials.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int, f: Int) {
        Parallel.forEachChunk(n, costPerItem: 16 * f) { rows in
            for r in rows {
                let g = inp + r * 2 * f, u = g + f, o = out + r * f
                for i in 0..<f { let x = g[i]; o[i] = x * sigmoid(x) * u[i] }
            }
        }
    }

    /// dinp (n, 2·f) = [dout·u·silu'(g) | dout·silu(g)] (overwrites, like `GELU.backward`), with
    /// silu'(g) = σ(g)·(1 + g·(1 − σ(g))).
    public static func backward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int, f: Int) {
        Parallel.forEachChunk(n, costPerItem: 20 * f) { rows in
            for r in rows {
                let g = inp + r * 2 * f, u = g + f, d = dout + r * f, dg = dinp + r * 2 * f, du = dg + f
                for i in 0..<f {
                    let x = g[i], s = sigmoid(x)
                    du[i] = d[i] * x * s
                    dg[i] = d[i] * u[i] * s * (1 + x * (1 - s))
                }
            }
        }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(out: inout [Double], inp: [Double], n: Int, f: Int) {
        for r in 0..<n {
            for i in 0..<f {
                let g = inp[r * 2 * f + i], u = inp[r * 2 * f + f + i]
                out[r * f + i] = g / (1 + Foundation.exp(-g)) * u
            }
        }
    }

    /// Reference backward in Float64 (overwrites dinp).
    public static func backwardNaive(dinp: inout [Double], inp: [Double], dout: [Double], n: Int, f: Int) {
        for r in 0..<n {
            for i in 0..<f {
                let g = inp[r * 2 * f + i], u = inp[r * 2 * f + f + i], d = dout[r * f + i]
                let s = 1 / (1 + Foundation.exp(-g))
                dinp[r * 2 * f + f + i] = d * g * s
                dinp[r * 2 * f + i] = d * u * (s + g * s * (1 - s))
            }
        }
    }
}
