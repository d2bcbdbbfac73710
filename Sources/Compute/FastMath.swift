/// Branch-free exp and tanh for the elementwise kernels (libm's scalar `expf`/`tanhf` were ~20 % of a
/// training step). Written as scalar functions of plain float and bit operations so LLVM vectorises the
/// loops that call them (Swift's generic SIMD helpers such as `clamped` and `rounded` are not lowered to
/// vector instructions). Cephes `expf` polynomial: relative error ≈ 2e-7, checked against the Float64
/// naive twins by the kernel tests.
public enum FastMath {
    /// e^x, with x clamped to [−87.3, 88.3] (so results stay normal floats).
    @inlinable @inline(__always)
    public static func exp(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -87.3), 88.3)
        // round x·log2(e) to the nearest integer n by adding 1.5·2^23 (the float add does the rounding)
        let t = x * 1.442_695_04 + 12_582_912
        let fx = t - 12_582_912
        // r = x − n·ln2 in two parts for precision (Cephes C1, C2)
        let r = x - fx * 0.693_359_375 + fx * 2.121_944_4e-4
        let z = r * r
        var y: Float = 1.987_569_15e-4
        y = y * r + 1.398_199_95e-3
        y = y * r + 8.333_451_9e-3
        y = y * r + 4.166_579_59e-2
        y = y * r + 1.666_666_55e-1
        y = y * r + 5.000_000_12e-1
        y = y * z + r + 1
        // t's low mantissa bits hold n + 2^22; build 2^n from its exponent bits
        let n = t.bitPattern &- 0x4B40_0000
        return y * Float(bitPattern: (n &+ 127) &<< 23)
    }

    /// tanh(u) = 1 − 2/(e^{2u} + 1); absolute error ≈ 2e-7, exact ±1 in the tails.
    @inlinable @inline(__always)
    public static func tanh(_ u: Float) -> Float { 1 - 2 / (exp(2 * u) + 1) }

    /// erf(x) as the rational minimax fit p(x)/q(x) on [−4, 4] that Eigen and XLA use for float (outside it
    /// erf is ±1 in single precision); absolute error < 5e-7 against Float64 erf (ComputeTests check it
    /// on a dense grid). libm's scalar `erff` was 13 % of a MiniLM training step; this one vectorises.
    @inlinable @inline(__always)
    public static func erf(_ x: Float) -> Float {
        let x = Swift.min(Swift.max(x, -4), 4), x2 = x * x
        var p: Float = -2.726_142_258_013_06e-10
        p = p * x2 + 2.770_681_424_959_02e-08
        p = p * x2 - 2.101_024_020_825_08e-06
        p = p * x2 - 5.692_506_394_623_46e-05
        p = p * x2 - 7.349_906_303_268_55e-04
        p = p * x2 - 2.954_599_808_540_25e-03
        p = p * x2 - 1.609_603_332_624_15e-02
        var q: Float = -1.456_607_184_649_96e-05
        q = q * x2 - 2.133_740_552_789_05e-04
        q = q * x2 - 1.682_826_974_382_03e-03
        q = q * x2 - 7.373_329_167_204_68e-03
        q = q * x2 - 1.426_473_905_141_89e-02
        return x * p / q
    }

    /// dst[i] = e^(src[i] − shift) for i < n; returns Σ dst (dst may alias src).
    /// Always inlined: called out of line the loop stays scalar (LLVM cannot rule out a partial overlap of
    /// dst and src), which made attention's softmax 4× slower; inlined where dst == src it vectorises.
    @inlinable @inline(__always)
    public static func expShifted(_ dst: UnsafeMutablePointer<Float>, _ src: UnsafePointer<Float>, _ n: Int, shift: Float) -> Float {
        for i in 0..<n { dst[i] = exp(src[i] - shift) }
        return VectorMath.sum(dst, n)
    }
}
