/// Vectorised exp and tanh for the elementwise kernels (libm's scalar `expf`/`tanhf` were ~20 % of a
/// training step). Cephes `expf` polynomial: relative error ≈ 2e-7 over the clamped range, checked against
/// the Float64 naive twins by the kernel tests.
public enum FastMath {
    public typealias V = SIMD16<Float>

    /// e^x lane-wise; inputs are clamped to [−87.3, 88.3] (results below ~1e-38 flush towards 0).
    @inlinable @inline(__always)
    public static func exp(_ x: V) -> V {
        let x = x.clamped(lowerBound: V(repeating: -87.3), upperBound: V(repeating: 88.3))
        let fx = (x * 1.442_695_04).rounded(.toNearestOrEven)
        // r = x − n·ln2 in two parts for precision (Cephes C1, C2)
        let r = x - fx * 0.693_359_375 + fx * 2.121_944_4e-4
        let z = r * r
        var y = V(repeating: 1.987_569_15e-4)
        y = y * r + 1.398_199_95e-3
        y = y * r + 8.333_451_9e-3
        y = y * r + 4.166_579_59e-2
        y = y * r + 1.666_666_55e-1
        y = y * r + 5.000_000_12e-1
        y = y * z + r + 1
        let n = SIMD16<Int32>(fx, rounding: .towardZero)
        let scale = unsafeBitCast((n &+ 127) &<< 23, to: V.self)  // 2^n built from its exponent bits
        return y * scale
    }

    /// tanh lane-wise as sign(u)·(1 − 2/(e^{2|u|} + 1)); absolute error ≈ 2e-7.
    @inlinable @inline(__always)
    public static func tanh(_ u: V) -> V {
        let a = u.replacing(with: -u, where: u .< 0)
        let t = 1 - 2 / (exp(2 * a) + 1)
        return t.replacing(with: -t, where: u .< 0)
    }

    /// dst[i] = e^(src[i] − shift) for i < n; returns Σ dst (dst may alias src).
    @inlinable
    public static func expShifted(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
        var i = 0
        var acc = V()
        let s = V(repeating: shift)
        while i + 16 <= n {
            let e = exp(UnsafeRawPointer(src + i).loadUnaligned(as: V.self) - s)
            UnsafeMutableRawPointer(dst + i).storeBytes(of: e, as: V.self)
            acc += e
            i += 16
        }
        var sum = acc.sum()
        if i < n {
            // tail through a padded vector so every element takes the same code path
            var v = V(repeating: -Float.infinity)
            for k in 0..<(n - i) { v[k] = src[i + k] }
            let e = exp(v - s)
            for k in 0..<(n - i) { dst[i + k] = e[k]; sum += e[k] }
        }
        return sum
    }
}
