/// The low-rank update of a LoRA-adapted linear layer (Hu et al. 2021, "LoRA"; PEFT `lora.Linear.forward`):
/// out += scale · (x · Aᵀ) · Bᵀ, with A (r, c) and B (oc, r) in PEFT's `nn.Linear` convention.
///
/// Dropout is the caller's business: it passes the already-dropped input `x` and, in backward, masks the
/// input gradient itself (see `GPTModel+LoRA`). Each function is two BLAS products, so the extra cost is
/// 2·n·r·(c + oc) FLOP forward and about twice that backward — small next to the base layer's 2·n·c·oc.
public enum LowRankAdapter {
    /// out (n, oc) += scale · hidden · Bᵀ where hidden (n, r) = x (n, c) · Aᵀ is saved for backward.
    /// - Parameters:
    ///   - out: the base layer's output, added into.
    ///   - hidden: (n, r) overwritten with x·Aᵀ (backward reads it for dB).
    ///   - x: (n, c) the (dropped-out) layer input.
    ///   - a: (r, c) `lora_A.weight`; b: (oc, r) `lora_B.weight`.
    ///   - ldo: the row stride of `out` (default oc): a fused output such as Llama's q|k|v row, where the
    ///     adapted module writes columns oc wide starting at `out`.
    /// - Complexity: 2·n·r·(c + oc) FLOP; no allocation.
    public static func forward(
        out: UnsafeMutablePointer<Float>, hidden: UnsafeMutablePointer<Float>, x: UnsafePointer<Float>,
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, scale: Float, n: Int, c: Int, r: Int, oc: Int, ldo: Int? = nil
    ) {
        Matmul.gemmParallel(transA: false, transB: true, m: n, n: r, k: c, a: x, lda: c, b: a, ldb: c,
                            beta: 0, c: hidden, ldc: r)
        Matmul.gemmParallel(transA: false, transB: true, m: n, n: oc, k: r, alpha: scale, a: hidden, lda: r,
                            b: b, ldb: r, beta: 1, c: out, ldc: ldo ?? oc)
    }

    /// Adds the gradients of `forward`: dB += scale·doutᵀ·hidden, dA += dhiddenᵀ·x and
    /// dx += dhidden·A, where dhidden (n, r) = scale·dout·B is written to `dhidden` (scratch).
    /// `dout` has row stride `ldo` (default oc), as `forward`'s `out`. Any of `dx`, `da`, `db` may be nil. `dx` is the gradient of the (dropped-out) input: the caller
    /// applies the dropout mask.
    /// - Complexity: ≈ 4·n·r·(c + oc) FLOP; no allocation.
    public static func backward(
        dx: UnsafeMutablePointer<Float>?, da: UnsafeMutablePointer<Float>?, db: UnsafeMutablePointer<Float>?,
        dhidden: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, x: UnsafePointer<Float>,
        hidden: UnsafePointer<Float>, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
        scale: Float, n: Int, c: Int, r: Int, oc: Int, ldo: Int? = nil
    ) {
        let ldd = ldo ?? oc
        if let db {
            Matmul.gemmParallel(transA: true, transB: false, m: oc, n: r, k: n, alpha: scale, a: dout, lda: ldd,
                                b: hidden, ldb: r, beta: 1, c: db, ldc: r)
        }
        Matmul.gemmParallel(transA: false, transB: false, m: n, n: r, k: oc, alpha: scale, a: dout, lda: ldd,
                            b: b, ldb: r, beta: 0, c: dhidden, ldc: r)
        if let da {
            Matmul.gemmParallel(transA: true, transB: false, m: r, n: c, k: n, a: dhidden, lda: r, b: x, ldb: c,
                                beta: 1, c: da, ldc: c)
        }
        if let dx {
            Matmul.gemmParallel(transA: false, transB: false, m: n, n: c, k: r, a: dhidden, lda: r, b: a, ldb: c,
                                beta: 1, c: dx, ldc: c)
        }
    }

    /// Reference forward in Float64: out[i][o] += scale · Σ_k (Σ_j x[i][j]·A[k][j]) · B[o][k].
    public static func forwardNaive(
        out: inout [Double], x: [Double], a: [Double], b: [Double], scale: Double, n: Int, c: Int, r: Int, oc: Int
    ) {
        for i in 0..<n {
            var h = [Double](repeating: 0, count: r)
            for k in 0..<r { for j in 0..<c { h[k] += x[i * c + j] * a[k * c + j] } }
            for o in 0..<oc {
                var s = 0.0
                for k in 0..<r { s += h[k] * b[o * r + k] }
                out[i * oc + o] += scale * s
            }
        }
    }

    /// Reference backward in Float64; adds into dx, da, db.
    public static func backwardNaive(
        dx: inout [Double], da: inout [Double], db: inout [Double], dout: [Double], x: [Double],
        a: [Double], b: [Double], scale: Double, n: Int, c: Int, r: Int, oc: Int
    ) {
        for i in 0..<n {
            var h = [Double](repeating: 0, count: r), dh = [Double](repeating: 0, count: r)
            for k in 0..<r { for j in 0..<c { h[k] += x[i * c + j] * a[k * c + j] } }
            for o in 0..<oc {
                let g = scale * dout[i * oc + o]
                for k in 0..<r { db[o * r + k] += g * h[k]; dh[k] += g * b[o * r + k] }
            }
            for k in 0..<r {
                for j in 0..<c { da[k * c + j] += dh[k] * x[i * c + j]; dx[i * c + j] += dh[k] * a[k * c + j] }
            }
        }
    }
}
