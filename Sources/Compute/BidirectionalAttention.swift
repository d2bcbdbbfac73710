import Foundation

/// Multi-head self-attention in which every position sees every non-padded position of its row (BERT's
/// encoder attention), over the same packed qkv layout as ``Attention``: (B, T, (NH + 2·NKV)·hd).
///
/// Padding is on the right: `lengths[b]` (1 ... T) is how many leading positions of row b are real, and
/// keys at or past it get probability 0 (HF adds the dtype's minimum to their scores). Padded query rows
/// are still computed (they attend to the real keys, as in HF) so every output row is defined.
public enum BidirectionalAttention {
    /// out (B, T, NH·hd) = softmax(q·kᵀ/√hd over keys < lengths[b])·v per head; saves att (B, NH, T, T)
    /// probabilities (columns ≥ lengths[b] are 0). With `keepProbabilities` false each parallel chunk reuses
    /// one T·T slot of `att` (inference).
    /// - Complexity: ≈ 4·B·NH·T·L·hd FLOP for rows of L real positions.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        lengths: UnsafePointer<Int32>, b: Int, t: Int, heads: AttentionHeads, keepProbabilities: Bool = true
    ) {
        let nh = heads.count, hd = heads.headDim, w = heads.qkvWidth, oc = heads.outputWidth
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forEachChunk(b * nh, costPerItem: 4 * t * t * hd) { tasks in
            for task in tasks {
                let bi = task / nh, h = task % nh
                let len = Int(lengths[bi])
                precondition(len >= 1 && len <= t, "row length \(len) outside 1...\(t)")
                let row0 = qkv + bi * t * w
                let q = row0 + h * hd, k = row0 + heads.keyOffset(h), v = row0 + heads.valueOffset(h)
                let s = att + (keepProbabilities ? task : tasks.lowerBound) * t * t
                // scores (T, L) against the real keys
                Matmul.gemm(transA: false, transB: true, m: t, n: len, k: hd, alpha: scale, a: q, lda: w, b: k, ldb: w,
                            beta: 0, c: s, ldc: t)
                for i in 0..<t { Attention.softmaxRow(s + i * t, from: 0, to: len, width: t) }
                Matmul.gemm(transA: false, transB: false, m: t, n: hd, k: len, a: s, lda: t, b: v, ldb: w, beta: 0,
                            c: out + bi * t * oc + h * hd, ldc: oc)
            }
        }
    }

    /// Adds dqkv (B, T, (NH + 2·NKV)·hd) from dout (B, T, NH·hd) and the probabilities `forward` saved.
    /// `scratch` holds B·NH·T·T floats (each parallel chunk reuses its first task's slot). One task per
    /// (b, key/value head) runs its NH/NKV query heads in order, so dk and dv are summed in a fixed order.
    /// - Complexity: ≈ 8·B·NH·T·L·hd FLOP.
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, lengths: UnsafePointer<Int32>, b: Int, t: Int, heads: AttentionHeads
    ) {
        let nh = heads.count, nkv = heads.kvCount, group = heads.group, hd = heads.headDim
        let w = heads.qkvWidth, oc = heads.outputWidth
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forEachChunk(b * nkv, costPerItem: 8 * t * t * hd * group) { tasks in
            for task in tasks {
                let bi = task / nkv, kvh = task % nkv
                let len = Int(lengths[bi])
                for h in (kvh * group)..<((kvh + 1) * group) {
                    let row0 = qkv + bi * t * w, drow0 = dqkv + bi * t * w
                    let q = row0 + h * hd, dq = drow0 + h * hd
                    let k = row0 + heads.keyOffset(h), dk = drow0 + heads.keyOffset(h)
                    let v = row0 + heads.valueOffset(h), dv = drow0 + heads.valueOffset(h)
                    let g = dout + bi * t * oc + h * hd
                    let p = att + (bi * nh + h) * t * t, d = scratch + tasks.lowerBound * t * t
                    // dP (T, L) = dout·vᵀ, then through the softmax and the score scale
                    Matmul.gemm(transA: false, transB: true, m: t, n: len, k: hd, a: g, lda: oc, b: v, ldb: w, beta: 0, c: d, ldc: t)
                    for i in 0..<t {
                        let pr = p + i * t, dr = d + i * t
                        let dot = VectorMath.dot(pr, dr, len)
                        for j in 0..<len { dr[j] = pr[j] * (dr[j] - dot) * scale }
                    }
                    // dq += dS·k; dk += dSᵀ·q; dv += Pᵀ·dout (real keys only)
                    Matmul.gemm(transA: false, transB: false, m: t, n: hd, k: len, a: d, lda: t, b: k, ldb: w, beta: 1, c: dq, ldc: w)
                    Matmul.gemm(transA: true, transB: false, m: len, n: hd, k: t, a: d, lda: t, b: q, ldb: w, beta: 1, c: dk, ldc: w)
                    Matmul.gemm(transA: true, transB: false, m: len, n: hd, k: t, a: p, lda: t, b: g, ldb: oc, beta: 1, c: dv, ldc: w)
                }
            }
        }
    }

    /// Reference forward in Float64.
    public static func forwardNaive(
        out: inout [Double], att: inout [Double], qkv: [Double], lengths: [Int32], b: Int, t: Int, heads: AttentionHeads
    ) {
        let nh = heads.count, hd = heads.headDim, w = heads.qkvWidth, oc = heads.outputWidth
        let scale = 1 / Double(hd).squareRoot()
        for bi in 0..<b {
            let len = Int(lengths[bi])
            for h in 0..<nh {
                let ko = heads.keyOffset(h), vo = heads.valueOffset(h)
                for i in 0..<t {
                    var scores = [Double](repeating: -.infinity, count: t)
                    for j in 0..<len {
                        var s = 0.0
                        for d in 0..<hd { s += qkv[(bi * t + i) * w + h * hd + d] * qkv[(bi * t + j) * w + ko + d] }
                        scores[j] = s * scale
                    }
                    let m = scores.max()!
                    let e = scores.map { $0 == -.infinity ? 0 : Foundation.exp($0 - m) }
                    let z = e.reduce(0, +)
                    for j in 0..<t { att[((bi * nh + h) * t + i) * t + j] = e[j] / z }
                    for d in 0..<hd {
                        var s = 0.0
                        for j in 0..<t { s += e[j] / z * qkv[(bi * t + j) * w + vo + d] }
                        out[(bi * t + i) * oc + h * hd + d] = s
                    }
                }
            }
        }
    }

    /// Reference backward in Float64; adds into dqkv. The mask lives in att's zeros, so this is the
    /// unmasked softmax-attention gradient (``Attention/backwardNaive(dqkv:dout:qkv:att:b:t:heads:)``).
    public static func backwardNaive(
        dqkv: inout [Double], dout: [Double], qkv: [Double], att: [Double], b: Int, t: Int, heads: AttentionHeads
    ) {
        Attention.backwardNaive(dqkv: &dqkv, dout: dout, qkv: qkv, att: att, b: b, t: t, heads: heads)
    }
}
