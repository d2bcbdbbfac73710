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
    /// Positions one pass takes at most: a prompt goes through in chunks of this many rows as matrix
    /// products, so the weights are read once per chunk instead of once per prompt token.
    let rows: Int
    /// (L, capacity, NKV·hd) keys and values, plus scratch for `rows` positions.
    let arena: Arena
    let kOffset: Int, vOffset: Int
    let x: Int, ln: Int, qkv: Int, atty: Int, proj: Int, fch: Int, fchGelu: Int, logits: Int, att: Int
    let mean: Int, rstd: Int, cos: Int, sin: Int
    /// Positions filled.
    var length = 0

    /// Prompt rows per pass: large enough that a product runs as a matrix product, small enough that the
    /// scratch stays a few MB even for wide models.
    static let maxRows = 64

    init(config: GPTConfig, capacity: Int) {
        self.config = config
        self.capacity = min(max(1, capacity), config.nPositions)
        rows = min(KVCache.maxRows, self.capacity)
        let c = config.nEmbd, t = self.capacity, L = config.nLayer, w = GPTActivations.widths(config), n = rows
        let kv = config.heads.kvCount * config.headDim
        var p = ArenaPlanner()
        kOffset = p.reserve([L, t, kv]).offset; vOffset = p.reserve([L, t, kv]).offset
        x = p.reserve([n, c]).offset; ln = p.reserve([n, c]).offset; qkv = p.reserve([n, w.qkv]).offset
        atty = p.reserve([n, w.attention]).offset; proj = p.reserve([n, c]).offset; fch = p.reserve([n, w.mlpIn]).offset
        fchGelu = p.reserve([n, w.mlpHidden]).offset; logits = p.reserve([config.vocabSize]).offset; att = p.reserve([t]).offset
        mean = p.reserve([n]).offset; rstd = p.reserve([n]).offset
        cos = p.reserve([n, config.headDim / 2]).offset; sin = p.reserve([n, config.headDim / 2]).offset
        arena = Arena(count: p.total)
    }

    @inline(__always) func ptr(_ o: Int) -> UnsafeMutablePointer<Float> { arena.base + o }
}

extension GPTModel {
    /// Appends `token` at the cache's next position and returns a pointer to its next-token logits (V),
    /// valid until the next call.
    func decodeStep(_ cache: KVCache, token: Int32) -> UnsafeMutablePointer<Float> {
        decode(cache, tokens: [token])
    }

    /// Appends `tokens` at the cache's next positions and returns a pointer to the last one's next-token
    /// logits (V), valid until the next call. Mirrors `runTrunk`; only the last position gets logits.
    /// - Complexity: one pass over the weights per ``KVCache/rows`` tokens (a prompt of P tokens reads
    ///   them ⌈P / rows⌉ times, not P times), plus O(P · length) attention.
    func decode(_ cache: KVCache, tokens: [Int32]) -> UnsafeMutablePointer<Float> {
        precondition(!tokens.isEmpty, "decode needs at least one token")
        let c = config.nEmbd, o = offsets
        var start = 0, last = 0
        while start < tokens.count {
            let n = min(cache.rows, tokens.count - start)
            decodeChunk(cache, tokens[start..<(start + n)])
            last = n - 1
            start += n
        }
        let ln = cache.ptr(cache.ln)
        normForward(out: ln, mean: cache.ptr(cache.mean), rstd: cache.ptr(cache.rstd), inp: cache.ptr(cache.x) + last * c,
                    weight: o.normF, bias: o.normFBias, n: 1)
        Matmul.gemm(transA: false, transB: true, m: 1, n: config.vocabSize, k: c, a: ln, lda: c,
                    b: param(o.head.offset), ldb: c, beta: 0, c: cache.ptr(cache.logits), ldc: config.vocabSize)
        return cache.ptr(cache.logits)
    }

    /// Runs ≤ ``KVCache/rows`` tokens through every block at positions `length ..< length + n`, appending
    /// their keys and values; leaves the last block's output rows in the cache's `x`.
    private func decodeChunk(_ cache: KVCache, _ tokens: ArraySlice<Int32>) {
        let c = config.nEmbd, heads = config.heads, hd = heads.headDim, tmax = cache.capacity
        let kvw = heads.kvCount * hd, qkvw = heads.qkvWidth, n = tokens.count
        let pos0 = cache.length
        precondition(pos0 + n <= tmax && n <= cache.rows, "KV cache is full")
        let o = offsets, w = GPTActivations.widths(config)
        let x = cache.ptr(cache.x), ln = cache.ptr(cache.ln), qkv = cache.ptr(cache.qkv)
        let mean = cache.ptr(cache.mean), rstd = cache.ptr(cache.rstd), proj = cache.ptr(cache.proj)
        for (i, token) in tokens.enumerated() {
            (x + i * c).update(from: param(o.wte.offset) + Int(token) * c, count: c)
            if let wpe = o.wpe { VectorMath.axpy(1, param(wpe.offset) + (pos0 + i) * c, x + i * c, c) }
        }
        if spec.rotary {
            let positions = (0..<n).map { Int32(pos0 + $0) }
            Rotary.table(cos: cache.ptr(cache.cos), sin: cache.ptr(cache.sin), positions: positions,
                         inverseFrequencies: ropeFrequencies, n: n)
        }
        let scale = 1 / Float(hd).squareRoot()
        func linear(_ p: ModelOffsets.Product, layer: Int, index: Int, out: UnsafeMutablePointer<Float>, inp: UnsafePointer<Float>) {
            Matmul.linearForward(out: out, inp: inp, weight: param(p.weight), bias: p.bias.map { param($0) }, n: n,
                                 c: p.inFeatures, oc: p.outFeatures, outIn: spec.outIn)
            adapterDecode(layer: layer, product: index, out: out, inp: inp, rows: n)
        }
        for l in 0..<config.nLayer {
            let b = o.blocks[l]
            normForward(out: ln, mean: mean, rstd: rstd, inp: x, weight: b.norm1, bias: b.norm1Bias, n: n)
            linear(b.qkv, layer: l, index: 0, out: qkv, inp: ln)
            if spec.rotary {
                Rotary.rotate(qkv, cos: cache.ptr(cache.cos), sin: cache.ptr(cache.sin), n: n, stride: qkvw,
                              heads: heads.count + heads.kvCount, headDim: hd)
            }
            let kc = cache.ptr(cache.kOffset) + l * tmax * kvw, vc = cache.ptr(cache.vOffset) + l * tmax * kvw
            for i in 0..<n {
                (kc + (pos0 + i) * kvw).update(from: qkv + i * qkvw + heads.outputWidth, count: kvw)
                (vc + (pos0 + i) * kvw).update(from: qkv + i * qkvw + heads.outputWidth + kvw, count: kvw)
            }
            let att = cache.ptr(cache.att)
            for i in 0..<n {
                let pos = pos0 + i, y = cache.ptr(cache.atty) + i * w.attention
                for h in 0..<heads.count {
                    let q = qkv + i * qkvw + h * hd, kvh = (h / heads.group) * hd
                    var m = -Float.infinity
                    for j in 0...pos { let s = VectorMath.dot(q, kc + j * kvw + kvh, hd) * scale; att[j] = s; m = max(m, s) }
                    var sum: Float = 0
                    for j in 0...pos { att[j] = expf(att[j] - m); sum += att[j] }
                    for d in 0..<hd { y[h * hd + d] = 0 }
                    for j in 0...pos { VectorMath.axpy(att[j] / sum, vc + j * kvw + kvh, y + h * hd, hd) }
                }
            }
            linear(b.proj, layer: l, index: 1, out: proj, inp: cache.ptr(cache.atty))
            for j in 0..<(n * c) { x[j] += proj[j] }
            normForward(out: ln, mean: mean, rstd: rstd, inp: x, weight: b.norm2, bias: b.norm2Bias, n: n)
            linear(b.fc, layer: l, index: 2, out: cache.ptr(cache.fch), inp: ln)
            if spec.gatedMLP {
                SwiGLU.forward(out: cache.ptr(cache.fchGelu), inp: cache.ptr(cache.fch), n: n, f: config.intermediateSize)
            } else {
                GELU.forward(out: cache.ptr(cache.fchGelu), inp: cache.ptr(cache.fch), n: n * config.intermediateSize)
            }
            linear(b.fcproj, layer: l, index: 3, out: proj, inp: cache.ptr(cache.fchGelu))
            for j in 0..<(n * c) { x[j] += proj[j] }
        }
        cache.length += n
    }
}
