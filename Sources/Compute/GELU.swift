import Foundation

/// GELU in GPT-2's tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (HF `gelu_new`).
public enum GELU {
    @usableFromInline static let k: Float = (2 / Float.pi).squareRoot()

    /// out (n) = gelu(inp).
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk(n, costPerItem: 16) { r in
            for i in r {
                let x = inp[i]
                out[i] = 0.5 * x * (1 + FastMath.tanh(k * (x + 0.044715 * x * x * x)))
            }
        }
    }

    /// dinp (n) = gelu'(inp)·dout (overwrites: the MLP's pre-activation gradient has no other source,
    /// so the caller need not zero it first).
    public static func backward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk(n, costPerItem: 24) { r in
            for i in r {
                let x = inp[i]
                let th = FastMath.tanh(k * (x + 0.044715 * x * x * x))
                let sech2 = 1 - th * th
                let grad = 0.5 * (1 + th) + 0.5 * x * sech2 * k * (1 + 3 * 0.044715 * x * x)
                dinp[i] = grad * dout[i]
            }
        }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(_ x: [Double]) -> [Double] {
        let k = (2 / Double.pi).squareRoot()
        return x.map { 0.5 * $0 * (1 + Foundation.tanh(k * ($0 + 0.044715 * $0 * $0 * $0))) }
    }

    /// Reference backward in Float64: returns dinp = gelu'(x)·dout.
    public static func backwardNaive(_ x: [Double], dout: [Double]) -> [Double] {
        let k = (2 / Double.pi).squareRoot()
        return zip(x, dout).map { x, g in
            let th = Foundation.tanh(k * (x + 0.044715 * x * x * x))
            return g * (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * k * (1 + 3 * 0.044715 * x * x))
        }
    }
}
