import COpenBLAS

/// Matrix products through `cblas_sgemm`, plus the linear layer y = x·W + b built on them, each with a
/// naive Float64 twin. Weights are stored [in, out] (HF GPT-2's Conv1D layout: the forward is an NN
/// product, the input gradient NT and the weight gradient TN) or, with `outIn`, [out, in] (`nn.Linear`,
/// Llama-family layout: forward NT, input gradient NN, weight gradient TN with the operands swapped).
public enum Matmul {
    /// C (m×n) = alpha·op(A)·op(B) + beta·C, row-major; op(A) is m×k, op(B) is k×n. Runs on the calling
    /// thread (OpenBLAS is kept single-threaded, see `ComputeThreads`); use `gemmParallel` for large products.
    /// - Complexity: 2·m·n·k FLOP.
    public static func gemm(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        if m == 0 || n == 0 { return }
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `gemm` split across the engine's threads, each running (single-threaded) OpenBLAS on its own block:
    /// rows of C when A is not transposed, else columns of C. Two threads scale ~1.9× this way even on the
    /// C = 128 shapes where OpenBLAS's own threading gives 1.1–1.3× (engine.md). Every element of C is
    /// computed by one call with the full K, so results do not depend on the split.
    public static func gemmParallel(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
        beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
    ) {
        let threads = ComputeThreads.count
        if threads <= 1 || m * n * k < 1 << 20 {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
                 beta: beta, c: c, ldc: ldc)
            return
        }
        let splitRows = !transA
        let extent = splitRows ? m : n
        let chunks = min(threads, max(1, extent / 16))
        do {
            Parallel.forEachChunk(chunks, costPerItem: 1 << 20) { r in
                for chunk in r {
                    let lo = chunk * extent / chunks, hi = (chunk + 1) * extent / chunks
                    if splitRows {
                        gemm(transA: false, transB: transB, m: hi - lo, n: n, k: k, alpha: alpha, a: a + lo * lda, lda: lda,
                             b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc)
                    } else {
                        gemm(transA: true, transB: transB, m: m, n: hi - lo, k: k, alpha: alpha, a: a, lda: lda,
                             b: transB ? b + lo * ldb : b + lo, ldb: ldb, beta: beta, c: c + lo, ldc: ldc)
                    }
                }
            }
        }
    }

    /// Reference for `gemm` in Float64 with packed (ld = row length) operands.
    public static func gemmNaive(
        transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double = 1,
        a: [Double], b: [Double], beta: Double, c: inout [Double]
    ) {
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for p in 0..<k {
                    let av = transA ? a[p * m + i] : a[i * k + p]
                    let bv = transB ? b[j * k + p] : b[p * n + j]
                    s += av * bv
                }
                c[i * n + j] = alpha * s + beta * c[i * n + j]
            }
        }
    }

    /// out (n, oc) = inp (n, c) · weight (c, oc) + bias (oc); with `outIn` the weight is (oc, c) and
    /// out = inp · weightᵀ + bias.
    /// - Complexity: 2·n·c·oc FLOP.
    public static func linearForward(
        out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, n: Int, c: Int, oc: Int, outIn: Bool = false
    ) {
        if let bias {
            for row in 0..<n { (out + row * oc).update(from: bias, count: oc) }
        }
        gemmParallel(transA: false, transB: outIn, m: n, n: oc, k: c, a: inp, lda: c, b: weight, ldb: outIn ? c : oc,
             beta: bias == nil ? 0 : 1, c: out, ldc: oc)
    }

    /// Adds the gradients of `linearForward`: dinp += dout·Wᵀ, dweight += inpᵀ·dout, dbias += Σ_rows dout.
    /// Any of the three outputs may be nil (frozen weights, or the first layer's input).
    /// `outIn` as in `linearForward` (then dweight is (oc, c) too).
    public static func linearBackward(
        dinp: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>?, dbias: UnsafeMutablePointer<Float>?,
        dout: UnsafePointer<Float>, inp: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        n: Int, c: Int, oc: Int, outIn: Bool = false
    ) {
        if let dinp {
            gemmParallel(transA: false, transB: !outIn, m: n, n: c, k: oc, a: dout, lda: oc, b: weight, ldb: outIn ? c : oc,
                 beta: 1, c: dinp, ldc: c)
        }
        if let dweight {
            if outIn {
                gemmParallel(transA: true, transB: false, m: oc, n: c, k: n, a: dout, lda: oc, b: inp, ldb: c,
                     beta: 1, c: dweight, ldc: c)
            } else {
                gemmParallel(transA: true, transB: false, m: c, n: oc, k: n, a: inp, lda: c, b: dout, ldb: oc,
                     beta: 1, c: dweight, ldc: oc)
            }
        }
        if let dbias {
            // Each thread owns a range of columns and adds the rows in order: the same sums for every
            // thread count.
            Parallel.forEachChunk(oc, costPerItem: n) { cols in
                let lo = cols.lowerBound, width = cols.count
                for row in 0..<n { VectorMath.axpy(1, dout + row * oc + lo, dbias + lo, width) }
            }
        }
    }

    /// Reference forward in Float64 (bias may be empty).
    public static func linearForwardNaive(
        out: inout [Double], inp: [Double], weight: [Double], bias: [Double], n: Int, c: Int, oc: Int, outIn: Bool = false
    ) {
        for row in 0..<n {
            for o in 0..<oc {
                var s = bias.isEmpty ? 0 : bias[o]
                for i in 0..<c { s += inp[row * c + i] * weight[outIn ? o * c + i : i * oc + o] }
                out[row * oc + o] = s
            }
        }
    }

    /// Reference backward in Float64; adds into the gradients.
    public static func linearBackwardNaive(
        dinp: inout [Double], dweight: inout [Double], dbias: inout [Double],
        dout: [Double], inp: [Double], weight: [Double], n: Int, c: Int, oc: Int, outIn: Bool = false
    ) {
        for row in 0..<n {
            for o in 0..<oc {
                let g = dout[row * oc + o]
                if !dbias.isEmpty { dbias[o] += g }
                for i in 0..<c {
                    let wi = outIn ? o * c + i : i * oc + o
                    dinp[row * c + i] += g * weight[wi]
                    dweight[wi] += g * inp[row * c + i]
                }
            }
        }
    }
}
