import Compute
import Foundation

/// Keys and values of every past position, per layer, for incremental decoding of one sequence:
/// each new token costs one pass over the weights instead of a full recompute. Keys are stored after
/// their rotary rotation, NKV heads wide (grouped-query attention shares them between query heads).
final class KVCache {
    let config: GPTConfig
    /// Positions the cache holds (≤ n_positions): sized for the generation at hand, not the model's
    /// whole context (8,192 positions × 30 layers of SmolLM2 would be 377 MB).
    let capacity: Int
    /// (L, capacity, NKV·hd) keys and values, plus per-token scratch.
    let arena: Arena
    let kOffset: Int, vOffset: Int
    let x: Int, ln: Int, qkv: Int, atty: Int, proj: Int, fch: Int, fchGelu: Int, logits: Int, att: Int
    let mean: Int, rstd: Int, cos: Int, sin: Int
    /// Positions filled.
    var length = 0

    init(config: GPTConfig, capacity: Int) {
        self.config = config
        self.capacity = min(max(1, capacity), config.nPositions)
        let c = config.nEmbd, t = self.capacity, L = config.nLayer, w = GPTActivations.widths(config)
        let kv = config.heads.kvCount * config.headDim
        var p = ArenaPlanner()
        kOffset = p.reserve([L, t, kv]).offset; vOffset = p.reserve([L, t, kv]).offset
        x = p.reserve([c]).offset; ln = p.reserve([c]).offset; qkv = p.reserve([w.qkv]).offset
        atty = p.reserve([w.attention]).offset; proj = p.reserve([c]).offset; fch = p.reserve([w.mlpIn]).offset
        fchGelu = p.reserve([w.mlpHidden]).offset; logits = p.reserve([config.vocabSize]).offset; att = p.reserve([t]).offset
        mean = p.reserve([1]).offset; rstd = p.reserve([1]).offset
        cos = p.reserve([config.headDim / 2]).offset; sin = p.reserve([config.headDim / 2]).offset
        arena = Arena(count: p.total)
    }

    @inline(__always) func ptr(_ o: Int) -> UnsafeMutablePointer<Float> { arena.base + o }
}

extension GPTModel {
    /// Appends `token` at the cache's next position and returns a pointer to its next-token logits (V),
    /// valid until the next call. Mirrors `runTrunk` for a single position.
    func decodeStep(_ cache: KVCache, token: Int32) -> UnsafeMutablePointer<Float> {
        let c = config.nEmbd, heads = config.heads, hd = heads.headDim, tmax = cache.capacity
        let kvw = heads.kvCount * hd, qkvw = heads.qkvWidth
        let pos = cache.length
        precondition(pos < tmax, "KV cache is full")
        let o = offsets
        let x = cache.ptr(cache.x), ln = cache.ptr(cache.ln), qkv = cache.ptr(cache.qkv)
        let mean = cache.ptr(cache.mean), rstd = cache.ptr(cache.rstd)
        x.update(from: param(o.wte.offset) + Int(token) * c, count: c)
        if let wpe = o.wpe { VectorMath.axpy(1, param(wpe.offset) + pos * c, x, c) }
        if spec.rotary {
            var p = Int32(pos)
            Rotary.table(cos: cache.ptr(cache.cos), sin: cache.ptr(cache.sin), positions: &p,
                         inverseFrequencies: ropeFrequencies, n: 1)
        }
        let scale = 1 / Float(hd).squareRoot()
        func linear(_ p: ModelOffsets.Product, layer: Int, index: Int, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
            Matmul.linearForward(out: out, inp: inp, weight: param(p.weight), bias: p.bias.map { param($0) }, n: 1,
                                 c: p.inFeatures, oc: p.outFeatures, outIn: spec.outIn)
            adapterDecode(layer: layer, product: index, out: out, inp: inp)
        }
        for l in 0..<config.nLayer {
            let w = o.blocks[l]
            normForward(out: ln, mean: mean, rstd: rstd, inp: x, weight: w.norm1, bias: w.norm1Bias, n: 1)
            linear(w.qkv, layer: l, index: 0, out: qkv, inp: ln)
            if spec.rotary {
                Rotary.rotate(qkv, cos: cache.ptr(cache.cos), sin: cache.ptr(cache.sin), n: 1, stride: qkvw,
                              heads: heads.count + heads.kvCount, headDim: hd)
            }
            let kc = cache.ptr(cache.kOffset) + l * tmax * kvw, vc = cache.ptr(cache.vOffset) + l * tmax * kvw
            (kc + pos * kvw).update(from: qkv + heads.outputWidth, count: kvw)
            (vc + pos * kvw).update(from: qkv + heads.outputWidth + kvw, count: kvw)
            let y = cache.ptr(cache.atty), att = cache.ptr(cache.att)
            for h in 0..<heads.count {
                let q = qkv + h * hd, kvh = (h / heads.group) * hd
                var m = -Float.infinity
                for j in 0...pos { let s = VectorMath.dot(q, kc + j * kvw + kvh, hd) * scale; att[j] = s; m = max(m, s) }
                var sum: Float = 0
                for j in 0...pos { att[j] = expf(att[j] - m); sum += att[j] }
                for d in 0..<hd { y[h * hd + d] = 0 }
                for j in 0...pos { VectorMath.axpy(att[j] / sum, vc + j * kvw + kvh, y + h * hd, hd) }
            }
            linear(w.proj, layer: l, index: 1, out: cache.ptr(cache.proj), inp: y)
            for j in 0..<c { x[j] += cache.ptr(cache.proj)[j] }
            normForward(out: ln, mean: mean, rstd: rstd, inp: x, weight: w.norm2, bias: w.norm2Bias, n: 1)
            linear(w.fc, layer: l, index: 2, out: cache.ptr(cache.fch), inp: ln)
            if spec.gatedMLP {
                SwiGLU.forward(out: cache.ptr(cache.fchGelu), inp: cache.ptr(cache.fch), n: 1, f: config.intermediateSize)
            } else {
                GELU.forward(out: cache.ptr(cache.fchGelu), inp: cache.ptr(cache.fch), n: config.intermediateSize)
            }
            linear(w.fcproj, layer: l, index: 3, out: cache.ptr(cache.proj), inp: cache.ptr(cache.fchGelu))
            for j in 0..<c { x[j] += cache.ptr(cache.proj)[j] }
        }
        normForward(out: ln, mean: mean, rstd: rstd, inp: x, weight: o.normF, bias: o.normFBias, n: 1)
        Matmul.gemm(transA: false, transB: true, m: 1, n: config.vocabSize, k: c, a: ln, lda: c,
                    b: param(o.head.offset), ldb: c, beta: 0, c: cache.ptr(cache.logits), ldc: config.vocabSize)
        cache.length += 1
        return cache.ptr(cache.logits)
    }
}
