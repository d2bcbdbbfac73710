import Foundation

/// Causal multi-head self-attention over a packed qkv tensor (llm.c `attention_forward/backward`).
///
/// qkv is (B, T, 3C) holding q, k, v side by side; head h uses channels h·hd ..< (h+1)·hd of each.
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

    /// out (B, T, C) = softmax(q·kᵀ/√hd, masked)·v per head; saves att (B, NH, T, T) probabilities
    /// (masked entries 0).
    /// - Complexity: ≈ 2·B·NH·T²·hd FLOP with causal halving.
    public static func forward(
        out: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>, qkv: UnsafePointer<Float>,
        segments: UnsafePointer<Int32>?, b: Int, t: Int, c: Int, nh: Int
    ) {
        let hd = c / nh, c3 = 3 * c
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forEachChunk(b * nh, costPerItem: 2 * t * t * hd) { tasks in
            for task in tasks {
                let bi = task / nh, h = task % nh
                let base = qkv + bi * t * c3
                let seg = segments.map { $0 + bi * t }
                var s0 = 0
                for i in 0..<t {
                    s0 = start(seg, i, s0)
                    let q = base + i * c3 + h * hd
                    let row = att + (task * t + i) * t
                    var maxv = -Float.infinity
                    for j in s0...i {
                        let v = VectorMath.dot(q, base + j * c3 + c + h * hd, hd) * scale
                        row[j] = v
                        if v > maxv { maxv = v }
                    }
                    var sum: Float = 0
                    for j in s0...i { let e = expf(row[j] - maxv); row[j] = e; sum += e }
                    let inv = 1 / sum
                    for j in 0..<s0 { row[j] = 0 }
                    for j in s0...i { row[j] *= inv }
                    for j in (i + 1)..<t { row[j] = 0 }
                    let o = out + (bi * t + i) * c + h * hd
                    for d in 0..<hd { o[d] = 0 }
                    for j in s0...i { VectorMath.axpy(row[j], base + j * c3 + 2 * c + h * hd, o, hd) }
                }
            }
        }
    }

    /// Adds dqkv (B, T, 3C) from dout (B, T, C). `scratch` holds B·NH·T floats (one row of attention
    /// gradients per task, so nothing allocates here).
    public static func backward(
        dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
        qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, segments: UnsafePointer<Int32>?,
        b: Int, t: Int, c: Int, nh: Int
    ) {
        let hd = c / nh, c3 = 3 * c
        let scale = 1 / Float(hd).squareRoot()
        Parallel.forEachChunk(b * nh, costPerItem: 4 * t * t * hd) { tasks in
            for task in tasks {
                let bi = task / nh, h = task % nh
                let base = qkv + bi * t * c3, dbase = dqkv + bi * t * c3
                let seg = segments.map { $0 + bi * t }
                let datt = scratch + task * t
                var s0 = 0
                for i in 0..<t {
                    s0 = start(seg, i, s0)
                    let row = att + (task * t + i) * t
                    let g = dout + (bi * t + i) * c + h * hd
                    // through the value sum: datt_j = v_j·g, dv_j += p_j·g
                    var dot: Float = 0
                    for j in s0...i {
                        let v = base + j * c3 + 2 * c + h * hd
                        let d = VectorMath.dot(v, g, hd)
                        datt[j] = d
                        dot += row[j] * d
                        VectorMath.axpy(row[j], g, dbase + j * c3 + 2 * c + h * hd, hd)
                    }
                    // through the softmax, then the scaled q·k product
                    let q = base + i * c3 + h * hd, dq = dbase + i * c3 + h * hd
                    for j in s0...i {
                        let dpre = row[j] * (datt[j] - dot) * scale
                        VectorMath.axpy(dpre, base + j * c3 + c + h * hd, dq, hd)
                        VectorMath.axpy(dpre, q, dbase + j * c3 + c + h * hd, hd)
                    }
                }
            }
        }
    }

    /// Reference forward in Float64 (segments may be empty = one document per row).
    public static func forwardNaive(
        out: inout [Double], att: inout [Double], qkv: [Double], segments: [Int32], b: Int, t: Int, c: Int, nh: Int
    ) {
        let hd = c / nh, c3 = 3 * c
        let scale = 1 / Double(hd).squareRoot()
        for bi in 0..<b {
            for h in 0..<nh {
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
                        for d in 0..<hd { s += qkv[(bi * t + i) * c3 + h * hd + d] * qkv[(bi * t + j) * c3 + c + h * hd + d] }
                        scores[j] = s * scale
                    }
                    let m = scores.max()!
                    let e = scores.map { $0 == -.infinity ? 0 : Foundation.exp($0 - m) }
                    let z = e.reduce(0, +)
                    for j in 0..<t { att[((bi * nh + h) * t + i) * t + j] = e[j] / z }
                    for d in 0..<hd {
                        var s = 0.0
                        for j in 0..<t { s += e[j] / z * qkv[(bi * t + j) * c3 + 2 * c + h * hd + d] }
                        out[(bi * t + i) * c + h * hd + d] = s
                    }
                }
            }
        }
    }

    /// Reference backward in Float64; adds into dqkv.
    public static func backwardNaive(
        dqkv: inout [Double], dout: [Double], qkv: [Double], att: [Double], b: Int, t: Int, c: Int, nh: Int
    ) {
        let hd = c / nh, c3 = 3 * c
        let scale = 1 / Double(hd).squareRoot()
        for bi in 0..<b {
            for h in 0..<nh {
                for i in 0..<t {
                    let p = (0..<t).map { att[((bi * nh + h) * t + i) * t + $0] }
                    var datt = [Double](repeating: 0, count: t)
                    for j in 0..<t {
                        for d in 0..<hd {
                            let g = dout[(bi * t + i) * c + h * hd + d]
                            datt[j] += g * qkv[(bi * t + j) * c3 + 2 * c + h * hd + d]
                            dqkv[(bi * t + j) * c3 + 2 * c + h * hd + d] += p[j] * g
                        }
                    }
                    let dot = (0..<t).reduce(0.0) { $0 + p[$1] * datt[$1] }
                    for j in 0..<t {
                        let dpre = p[j] * (datt[j] - dot) * scale
                        for d in 0..<hd {
                            dqkv[(bi * t + i) * c3 + h * hd + d] += dpre * qkv[(bi * t + j) * c3 + c + h * hd + d]
                            dqkv[(bi * t + j) * c3 + c + h * hd + d] += dpre * qkv[(bi * t + i) * c3 + h * hd + d]
                        }
                    }
                }
            }
        }
    }
}
