import Foundation

/// GELU in GPT-2's tanh form: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) (HF `gelu_new`).
public enum GELU {
    @usableFromInline static let k: Float = (2 / Float.pi).squareRoot()

    /// out (n) = gelu(inp).
    public static func forward(out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk((n + 15) / 16, costPerItem: 16 * 16) { r in
            for blk in r {
                let i = blk * 16
                if i + 16 <= n {
                    let x = UnsafeRawPointer(inp + i).loadUnaligned(as: SIMD16<Float>.self)
                    let u: SIMD16<Float> = k * (x + 0.044715 * x * x * x)
                    let y: SIMD16<Float> = 0.5 * x * (1 + FastMath.tanh(u))
                    UnsafeMutableRawPointer(out + i).storeBytes(of: y, as: SIMD16<Float>.self)
                } else {
                    for j in i..<n { let x = inp[j]; out[j] = 0.5 * x * (1 + tanhf(k * (x + 0.044715 * x * x * x))) }
                }
            }
        }
    }

    /// dinp (n) += gelu'(inp)·dout.
    public static func backward(dinp: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>, dout: UnsafePointer<Float>, n: Int) {
        Parallel.forEachChunk((n + 15) / 16, costPerItem: 24 * 16) { r in
            for blk in r {
                let i = blk * 16
                if i + 16 <= n {
                    let x = UnsafeRawPointer(inp + i).loadUnaligned(as: SIMD16<Float>.self)
                    let x2: SIMD16<Float> = x * x
                    let u: SIMD16<Float> = k * (x + 0.044715 * x2 * x)
                    let th = FastMath.tanh(u)
                    let sech2: SIMD16<Float> = 1 - th * th
                    let du: SIMD16<Float> = k * (1 + 0.134145 * x2)
                    let half: SIMD16<Float> = 0.5 * (1 + th)
                    let grad: SIMD16<Float> = half + 0.5 * x * sech2 * du
                    let g = UnsafeRawPointer(dout + i).loadUnaligned(as: SIMD16<Float>.self)
                    let d = UnsafeRawPointer(dinp + i).loadUnaligned(as: SIMD16<Float>.self) + grad * g
                    UnsafeMutableRawPointer(dinp + i).storeBytes(of: d, as: SIMD16<Float>.self)
                } else {
                    for j in i..<n {
                        let x = inp[j]
                        let th = tanhf(k * (x + 0.044715 * x * x * x))
                        dinp[j] += (0.5 * (1 + th) + 0.5 * x * (1 - th * th) * k * (1 + 3 * 0.044715 * x * x)) * dout[j]
                    }
                }
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
