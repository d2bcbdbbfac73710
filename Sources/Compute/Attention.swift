import Foundation

/// Causal multi-head self-attention over a packed qkv tensor (llm.c `attention_forward/backward`).
///
/// qkv is (B, T, (NH + 2·NKV)·hd) holding q (NH heads), k and v (NKV heads each) side by side: GPT-2's
/// fused c_attn output (NKV = NH), or Llama's q_proj/k_proj/v_proj outputs, which are contiguous because
/// their weights are (grouped-query attention when NKV < NH).
/// Position i of row b attends to positions j ≤ i of the same document: `segments` (B, T), when given,
/// labels each position's document, and documents are contiguous runs inside a row (packing).
/// Attention is the only layer that mixes information across time.
public enum Attention {
    /// First position of i's document in a row: the run of equal segment ids ending at i.
    @inline(__always)
    static func start(_ seg: UnsafePointer<Int32>?, _ i: Int, _ previousStart: Int) -> Int {
        guard let seg, i > 0 else { return 0 }
        return seg[i] == seg[i - 1] ? previousStart : i
    }

    /// One row of attention probabilities in place, the one softmax loop of both masks: row[lo..<hi] (the
    /// keys this query may see, already scaled scores) becomes softmax(row[lo..<hi]); row[0..<lo] and
    /// row[hi..<width] become 0. Causal attention passes its document's start and the query + 1,
    /// bidirectional attention 0 and the row's real length.
    /// - Complexity: O(width).
    @inline(__always)
    static func softmaxRow(_ row: UnsafeMutablePointer<Float>, from lo: Int, to hi: Int, width: Int) {
        let maxv = VectorMath.maximum(row + lo, hi - lo)
        row.update(repeating: 0, count: lo)
        let sum = FastMath.expShifted(row + lo, row + lo, hi - lo, shift: maxv)
        VectorMath.scale(row + lo, hi - lo, by: 1 / sum)
        (row + hi).update(repeating: 0, count: width - hi)
    }

    /// Rows per block of the causal tiling: block r of a row's queries only meets keys 0 ..< its last row
    /// + 1, so the masked upper triangle is skipped in whole blocks (5/8 of the full T² work at T = 256).
    /// Smaller blocks skip more but make the per-block sgemms less efficient.
    public static let defaultBlockRows = 64

    /// out (B, T, NH·hd) = softmax(q·kᵀ/√hd, masked)·v per head; saves att (B, NH, T, T) probabilities.
    /// Per (b, h) and block of `blockRows` query rows: the scores against the keys the block can see and
    /// the value sum are two strided sgemms. Masked entries inside a block's columns are set to 0; the
    /// columns past the block's last row are never computed or written (backward, given the same
    /// `blockRows`, never reads them). Query head h reads key/value head h / (NH/NKV) (HF `repeat_kv`).
    ///
    /// With `keepProbabilities` false (inference: no backward follows) every (b, h) of a parallel chunk
    /// reuses the chunk's first T·T slot of `att`, so the probabilities stay in L2 instead of streaming
    /// B·NH·T² floats through memory; `out` is bitwise the same, `att`'s contents are then unspecified.
    /// - Complexity: ≈ 2·B·NH·T·(T + blockRows)·hd FLOP (4·B·NH·T²·hd without the tiling).
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        segments: UnsafePointer<Int32>?, b: Int, t: Int, heads: AttentionHeads, blockRows: Int = defaultBlockRows,
        keepProbabilities: Bool = true
    ) {
        let nh = heads.count, hd = heads.headDim, w = heads.qkvWidth, oc = heads.outputWidth
        let scale = 1 / Float(hd).squareRoot()
        let block = max(1, blockRows)
        do {
            Parallel.forEachChunk(b * nh, costPerItem: 4 * t * t * hd) { tasks in
                for task in tasks {
                    let bi = task / nh, h = task % nh
                    let row0 = qkv + bi * t * w
                    let q = row0 + h * hd, k = row0 + heads.keyOffset(h), v = row0 + heads.valueOffset(h)
                    let s = att + (keepProbabilities ? task : tasks.lowerBound) * t * t
                    let seg = segments.map { $0 + bi * t }
                    var s0 = 0
                    for r0 in Swift.stride(from: 0, to: t, by: block) {
                        let rows = min(block, t - r0), hi = r0 + rows
                        // scores (rows, hi) of this block's queries against keys 0 ..< hi
                        Matmul.gemm(transA: false, transB: true, m: rows, n: hi, k: hd, alpha: scale, a: q + r0 * w,
                                    lda: w, b: k, ldb: w, beta: 0, c: s + r0 * t, ldc: t)
                        for i in r0..<hi {
                            s0 = start(seg, i, s0)
                            softmaxRow(s + i * t, from: s0, to: i + 1, width: hi)
                        }
                        Matmul.gemm(transA: false, transB: false, m: rows, n: hd, k: hi, a: s + r0 * t, lda: t,
                                    b: v, ldb: w, beta: 0, c: out + (bi * t + r0) * oc + h * hd, ldc: oc)
                    }
                }
            }
        }
    }

    /// GPT-2's multi-head attention: qkv (B, T, 3C), NH heads of C/NH (see the `heads:` form).
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        segments: UnsafePointer<Int32>?, b: Int, t: Int, c: Int, nh: Int, blockRows: Int = defaultBlockRows,
        keepProbabilities: Bool = true
    ) {
        forward(out: out, att: att, qkv: qkv, segments: segments, b: b, t: t, heads: AttentionHeads(c: c, nh: nh),
                blockRows: blockRows, keepProbabilities: keepProbabilities)
    }

    /// Adds dqkv (B, T, (NH + 2·NKV)·hd) from dout (B, T, NH·hd). `scratch` holds B·NH·T·T floats (room
    /// for the probabilities' gradient of every head, so nothing allocates here; each parallel chunk
    /// reuses the slot of its first task, so its contents afterwards are unspecified). Tiled like
    /// `forward`, with the same `blockRows`: query blocks for dq and the probabilities' gradient, key
    /// blocks (which only later queries see) for dk and dv; only the entries `forward` wrote are read.
    /// One task per (b, key/value head) runs that head's NH/NKV query heads in order, so the shared dk and
    /// dv are summed in a fixed order (the same bits for every thread count).
    /// - Complexity: ≈ 4·B·NH·T·(T + blockRows)·hd FLOP (8·B·NH·T²·hd without the tiling).
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, segments: UnsafePointer<Int32>?,
        b: Int, t: Int, heads: AttentionHeads, blockRows: Int = defaultBlockRows
    ) {
        let nh = heads.count, nkv = heads.kvCount, group = heads.group, hd = heads.headDim
        let w = heads.qkvWidth, oc = heads.outputWidth
        let scale = 1 / Float(hd).squareRoot()
        let block = max(1, blockRows)
        do {
            Parallel.forEachChunk(b * nkv, costPerItem: 8 * t * t * hd * group) { tasks in
                for task in tasks {
                    let bi = task / nkv, kvh = task % nkv
                    for h in (kvh * group)..<((kvh + 1) * group) {
                        let row0 = qkv + bi * t * w, drow0 = dqkv + bi * t * w
                        let q = row0 + h * hd, dq = drow0 + h * hd
                        let k = row0 + heads.keyOffset(h), dk = drow0 + heads.keyOffset(h)
                        let v = row0 + heads.valueOffset(h), dv = drow0 + heads.valueOffset(h)
                        let g = dout + bi * t * oc + h * hd
                        // the probabilities' gradient lives only inside this head: one slot per chunk,
                        // reused by its heads, stays in L2 instead of streaming B·NH·T² floats through memory
                        let p = att + (bi * nh + h) * t * t, d = scratch + tasks.lowerBound * t * t
                        for r0 in Swift.stride(from: 0, to: t, by: block) {
                            let rows = min(block, t - r0), hi = r0 + rows
                            // dP (rows, hi) = dout·vᵀ
                            Matmul.gemm(transA: false, transB: true, m: rows, n: hi, k: hd, a: g + r0 * oc, lda: oc,
                                        b: v, ldb: w, beta: 0, c: d + r0 * t, ldc: t)
                            // through the softmax (masked entries have P = 0, so they get 0), times the score scale
                            for i in r0..<hi {
                                let pr = p + i * t, dr = d + i * t
                                let dot = VectorMath.dot(pr, dr, i + 1)
                                for j in 0...i { dr[j] = pr[j] * (dr[j] - dot) * scale }
                                for j in (i + 1)..<hi { dr[j] = 0 }
                            }
                            // dq += dS·k over the keys this block sees
                            Matmul.gemm(transA: false, transB: false, m: rows, n: hd, k: hi, a: d + r0 * t, lda: t,
                                        b: k, ldb: w, beta: 1, c: dq + r0 * w, ldc: w)
                        }
                        for k0 in Swift.stride(from: 0, to: t, by: block) {
                            let cols = min(block, t - k0), rest = t - k0
                            // keys k0 ..< k0 + cols are seen by queries k0 ..< T: dv += Pᵀ·dout, dk += dSᵀ·q
                            Matmul.gemm(transA: true, transB: false, m: cols, n: hd, k: rest, a: p + k0 * t + k0, lda: t,
                                        b: g + k0 * oc, ldb: oc, beta: 1, c: dv + k0 * w, ldc: w)
                            Matmul.gemm(transA: true, transB: false, m: cols, n: hd, k: rest, a: d + k0 * t + k0, lda: t,
                                        b: q + k0 * w, ldb: w, beta: 1, c: dk + k0 * w, ldc: w)
                        }
                    }
                }
            }
        }
        _ = segments  // the mask lives in att's zeros
    }

    /// GPT-2's multi-head attention backward: qkv (B, T, 3C), NH heads of C/NH (see the `heads:` form).
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, segments: UnsafePointer<Int32>?,
        b: Int, t: Int, c: Int, nh: Int, blockRows: Int = defaultBlockRows
    ) {
        backward(dqkv: dqkv, scratch: scratch, dout: dout, qkv: qkv, att: att, segments: segments, b: b, t: t,
                 heads: AttentionHeads(c: c, nh: nh), blockRows: blockRows)
    }

    /// Reference forward in Float64 (segments may be empty = one document per row).
    public static func forwardNaive(
        out: inout [Double], att: inout [Double], qkv: [Double], segments: [Int32], b: Int, t: Int, heads: AttentionHeads
    ) {
        let nh = heads.count, hd = heads.headDim, w = heads.qkvWidth, oc = heads.outputWidth
        let scale = 1 / Double(hd).squareRoot()
        for bi in 0..<b {
            for h in 0..<nh {
                let ko = heads.keyOffset(h), vo = heads.valueOffset(h)
                for i in 0..<t {
                    func allowed(_ j: Int) -> Bool {
                        if j > i { return false }
                        if segments.isEmpty { return true }
                        // same document and no other document in between (documents are contiguous)
                        return (j...i).allSatisfy { segments[bi * t + $0] == segments[bi * t + i] }
                    }
                    var scores = [Double](repeating: -.infinity, count: t)
                    for j in 0..<t where allowed(j) {
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

    /// GPT-2 form of `forwardNaive(…, heads:)`.
    public static func forwardNaive(
        out: inout [Double], att: inout [Double], qkv: [Double], segments: [Int32], b: Int, t: Int, c: Int, nh: Int
    ) {
        forwardNaive(out: &out, att: &att, qkv: qkv, segments: segments, b: b, t: t, heads: AttentionHeads(c: c, nh: nh))
    }

    /// Reference backward in Float64; adds into dqkv.
    public static func backwardNaive(
        dqkv: inout [Double], dout: [Double], qkv: [Double], att: [Double], b: Int, t: Int, heads: AttentionHeads
    ) {
        let nh = heads.count, hd = heads.headDim, w = heads.qkvWidth, oc = heads.outputWidth
        let scale = 1 / Double(hd).squareRoot()
        for bi in 0..<b {
            for h in 0..<nh {
                let ko = heads.keyOffset(h), vo = heads.valueOffset(h)
                for i in 0..<t {
                    let p = (0..<t).map { att[((bi * nh + h) * t + i) * t + $0] }
                    var datt = [Double](repeating: 0, count: t)
                    for j in 0..<t {
                        for d in 0..<hd {
                            let g = dout[(bi * t + i) * oc + h * hd + d]
                            datt[j] += g * qkv[(bi * t + j) * w + vo + d]
                            dqkv[(bi * t + j) * w + vo + d] += p[j] * g
                        }
                    }
                    let dot = (0..<t).reduce(0.0) { $0 + p[$1] * datt[$1] }
                    for j in 0..<t {
                        let dpre = p[j] * (datt[j] - dot) * scale
                        for d in 0..<hd {
                            dqkv[(bi * t + i) * w + h * hd + d] += dpre * qkv[(bi * t + j) * w + ko + d]
                            dqkv[(bi * t + j) * w + ko + d] += dpre * qkv[(bi * t + i) * w + h * hd + d]
                        }
                    }
                }
            }
        }
    }

    /// GPT-2 form of `backwardNaive(…, heads:)`.
    public static func backwardNaive(
        dqkv: inout [Double], dout: [Double], qkv: [Double], att: [Double], b: Int, t: Int, c: Int, nh: Int
    ) {
        backwardNaive(dqkv: &dqkv, dout: dout, qkv: qkv, att: att, b: b, t: t, heads: AttentionHeads(c: c, nh: nh))
    }
}
