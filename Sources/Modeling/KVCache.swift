import Compute
import Foundation

/// Keys and values of every past position, per layer, for incremental decoding of one sequence:
/// each new token costs one pass over the weights instead of a full recompute.
final class KVCache {
    let config: GPTConfig
    /// (L, n_positions, C) keys and values, plus per-token scratch.
    let arena: Arena
    let kOffset: Int, vOffset: Int
    let x: Int, ln: Int, qkv: Int, atty: Int, proj: Int, fch: Int, fchGelu: Int, logits: Int, att: Int
    /// Positions filled.
    var length = 0

    init(config: GPTConfig) {
        self.config = config
        let c = config.nEmbd, t = config.nPositions, L = config.nLayer
        var p = ArenaPlanner()
        kOffset = p.reserve([L, t, c]).offset; vOffset = p.reserve([L, t, c]).offset
        x = p.reserve([c]).offset; ln = p.reserve([c]).offset; qkv = p.reserve([3 * c]).offset
        atty = p.reserve([c]).offset; proj = p.reserve([c]).offset; fch = p.reserve([4 * c]).offset
        fchGelu = p.reserve([4 * c]).offset; logits = p.reserve([config.vocabSize]).offset; att = p.reserve([t]).offset
        arena = Arena(count: p.total)
    }

    @inline(__always) func ptr(_ o: Int) -> UnsafeMutablePointer<Float> { arena.base + o }
}

extension GPTModel {
    /// Appends `token` at the cache's next position and returns a pointer to its next-token logits (V),
    /// valid until the next call. Mirrors `runTrunk` for a single position.
    func decodeStep(_ cache: KVCache, token: Int32) -> UnsafeMutablePointer<Float> {
        let c = config.nEmbd, nh = config.nHead, hd = c / nh, tmax = config.nPositions
        let pos = cache.length
        precondition(pos < tmax, "KV cache is full")
        let o = offsets, eps = config.layerNormEpsilon
        let x = cache.ptr(cache.x)
        for j in 0..<c { x[j] = param(o.wte.offset)[Int(token) * c + j] + param(o.wpe.offset)[pos * c + j] }
        var mean: Float = 0, rstd: Float = 0
        let scale = 1 / Float(hd).squareRoot()
        for l in 0..<config.nLayer {
            let w = o.blocks[l]
            LayerNorm.forward(out: cache.ptr(cache.ln), mean: &mean, rstd: &rstd, inp: x, weight: param(w.ln1w.offset),
                              bias: param(w.ln1b.offset), n: 1, c: c, epsilon: eps)
            Matmul.linearForward(out: cache.ptr(cache.qkv), inp: cache.ptr(cache.ln), weight: param(w.qkvw.offset),
                                 bias: param(w.qkvb.offset), n: 1, c: c, oc: 3 * c)
            adapterDecode(layer: l, slot: 0, out: cache.ptr(cache.qkv), inp: cache.ptr(cache.ln))
            let kc = cache.ptr(cache.kOffset) + l * tmax * c, vc = cache.ptr(cache.vOffset) + l * tmax * c
            (kc + pos * c).update(from: cache.ptr(cache.qkv) + c, count: c)
            (vc + pos * c).update(from: cache.ptr(cache.qkv) + 2 * c, count: c)
            let y = cache.ptr(cache.atty), att = cache.ptr(cache.att)
            for h in 0..<nh {
                let q = cache.ptr(cache.qkv) + h * hd
                var m = -Float.infinity
                for j in 0...pos { let s = VectorMath.dot(q, kc + j * c + h * hd, hd) * scale; att[j] = s; m = max(m, s) }
                var sum: Float = 0
                for j in 0...pos { att[j] = expf(att[j] - m); sum += att[j] }
                for d in 0..<hd { y[h * hd + d] = 0 }
                for j in 0...pos { VectorMath.axpy(att[j] / sum, vc + j * c + h * hd, y + h * hd, hd) }
            }
            Matmul.linearForward(out: cache.ptr(cache.proj), inp: y, weight: param(w.projw.offset), bias: param(w.projb.offset), n: 1, c: c, oc: c)
            adapterDecode(layer: l, slot: 1, out: cache.ptr(cache.proj), inp: y)
            for j in 0..<c { x[j] += cache.ptr(cache.proj)[j] }
            LayerNorm.forward(out: cache.ptr(cache.ln), mean: &mean, rstd: &rstd, inp: x, weight: param(w.ln2w.offset),
                              bias: param(w.ln2b.offset), n: 1, c: c, epsilon: eps)
            Matmul.linearForward(out: cache.ptr(cache.fch), inp: cache.ptr(cache.ln), weight: param(w.fcw.offset),
                                 bias: param(w.fcb.offset), n: 1, c: c, oc: 4 * c)
            adapterDecode(layer: l, slot: 2, out: cache.ptr(cache.fch), inp: cache.ptr(cache.ln))
            GELU.forward(out: cache.ptr(cache.fchGelu), inp: cache.ptr(cache.fch), n: 4 * c)
            Matmul.linearForward(out: cache.ptr(cache.proj), inp: cache.ptr(cache.fchGelu), weight: param(w.fcprojw.offset),
                                 bias: param(w.fcprojb.offset), n: 1, c: 4 * c, oc: c)
            adapterDecode(layer: l, slot: 3, out: cache.ptr(cache.proj), inp: cache.ptr(cache.fchGelu))
            for j in 0..<c { x[j] += cache.ptr(cache.proj)[j] }
        }
        LayerNorm.forward(out: cache.ptr(cache.ln), mean: &mean, rstd: &rstd, inp: x, weight: param(o.lnfw.offset),
                          bias: param(o.lnfb.offset), n: 1, c: c, epsilon: eps)
        Matmul.gemm(transA: false, transB: true, m: 1, n: config.vocabSize, k: c, a: cache.ptr(cache.ln), lda: c,
                    b: param(o.wte.offset), ldb: c, beta: 0, c: cache.ptr(cache.logits), ldc: config.vocabSize)
        cache.length += 1
        return cache.ptr(cache.logits)
    }
}
