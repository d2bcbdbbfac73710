import Foundation

/// tanh as an activation (BERT's pooler: tanh(dense([CLS]))).
public enum Tanh {
    /// out (n) = tanh(inp), with libm's `tanhf` (exact to 1 ulp; the pooler is one row per sequence).
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        for i in 0..<n { out[i] = Foundation.tanh(inp[i]) }
    }

    /// dinp (n) = (1 − out²)·dout, from the forward's output (overwrites).
    public static func backward(dinp: UnsafeMutablePointer<Float>, out: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int) {
        for i in 0..<n { dinp[i] = (1 - out[i] * out[i]) * dout[i] }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(_ x: [Double]) -> [Double] { x.map { Foundation.tanh($0) } }

    /// Reference backward in Float64 from the input: dinp = (1 − tanh²(x))·dout.
    public static func backwardNaive(_ x: [Double], dout: [Double]) -> [Double] {
        zip(x, dout).map { x, g in let t = Foundation.tanh(x); return (1 - t * t) * g }
    }
}
