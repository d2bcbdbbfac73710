import Foundation

/// GELU in its exact erf form: x·Φ(x) = 0.5·x·(1 + erf(x/√2)) (HF `gelu`, BERT's `hidden_act`; GPT-2's
/// tanh approximation is ``GELU``). The two differ by up to ≈ 5·10⁻⁴, too much for 1e-4 parity.
public enum ErfGELU {
    @usableFromInline static let invSqrt2: Float = 1 / Float(2).squareRoot()
    @usableFromInline static let invSqrt2Pi: Float = 1 / (2 * Float.pi).squareRoot()

    /// out (n) = gelu(inp), erf from ``FastMath/erf(_:)`` (vectorised). - Complexity: O(n), split across threads.
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk(n, costPerItem: 8) { r in
            for i in r {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + FastMath.erf(x * invSqrt2))
            }
        }
    }

    /// dinp (n) = gelu'(inp)·dout, gelu'(x) = Φ(x) + x·φ(x) (overwrites, like ``GELU/backward(dinp:inp:dout:n:)``).
    public static func backward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk(n, costPerItem: 12) { r in
            for i in r {
                let x = inp[i]
                let cdf = 0.5 * (1 + FastMath.erf(x * invSqrt2))
                let pdf = invSqrt2Pi * FastMath.exp(-0.5 * x * x)
                dinp[i] = (cdf + x * pdf) * dout[i]
            }
        }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(_ x: [Double]) -> [Double] {
        x.map { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }
    }

    /// Reference backward in Float64: dinp = gelu'(x)·dout.
    public static func backwardNaive(_ x: [Double], dout: [Double]) -> [Double] {
        zip(x, dout).map { x, g in
            (0.5 * (1 + Foundation.erf(x / 2.0.squareRoot())) + x * Foundation.exp(-0.5 * x * x) / (2 * Double.pi).squareRoot()) * g
        }
    }
}
