import Foundation

/// Residual connection: out = a + b; the gradient flows unchanged into both branches.
public enum Residual {
    /// out (n) = a + b.
    public static func forward(out: UnsafeMutablePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk(n, costPerItem: 2) { r in for i in r { out[i] = a[i] + b[i] } }
    }

    /// da += dout, db += dout.
    public static func backward(da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk(n, costPerItem: 2) { r in for i in r { da[i] += dout[i]; db[i] += dout[i] } }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(_ a: [Double], _ b: [Double]) -> [Double] { zip(a, b).map(+) }
}
