import Compute
import Foundation
import TestSupport
import Testing

/// Every fast Float32 kernel against its Float64 naive twin on identical (Float-rounded) inputs.
@Suite struct FastKernelTests {
    func expectForward(_ a: [Float], _ b: [Double], _ label: String) {
        let m = NumericChecks.mismatch(a, b, atol: Tolerance.forwardAbs, rtol: Tolerance.forwardRel, label: label)
        #expect(m == nil, "\(m ?? "")")
    }
    func expectBackward(_ a: [Float], _ b: [Double], _ label: String) {
        let m = NumericChecks.mismatch(a, b, atol: Tolerance.backwardAbs, rtol: Tolerance.backwardRel, label: label)
        #expect(m == nil, "\(m ?? "")")
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func gemmMatchesNaiveInEveryTransposeCase(transA: Bool, transB: Bool) {
        let m = 7, n = 5, k = 9
        let a = f32(NumericChecks.randomValues(m * k, seed: 1)), b = f32(NumericChecks.randomValues(k * n, seed: 2))
        let c0 = f32(NumericChecks.randomValues(m * n, seed: 3))
        var ref = c0
        Matmul.gemmNaive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, b: b, beta: 1, c: &ref)
        let out = withFloatBuffers([a, b, c0]) { p in
            Matmul.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: p[0], lda: transA ? m : k,
                        b: p[1], ldb: transB ? k : n, beta: 1, c: p[2], ldc: n)
        }
        expectForward(out[2], ref, "C")
    }

    /// The threaded split matches one call within rounding (OpenBLAS's blocking depends on the block
    /// shape) and is reproducible bit for bit for a fixed thread count.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func parallelGemmMatchesOneCallAndIsReproducible(transA: Bool, transB: Bool) {
        // uses the process's thread count (changing it here would race with other suites running in parallel)
        let m = 96, n = 80, k = 160  // m·n·k ≥ 2^20, so the split path runs
        let a = NumericChecks.randomValues(m * k, seed: 30), b = NumericChecks.randomValues(k * n, seed: 31)
        let c0 = NumericChecks.randomValues(m * n, seed: 32)
        let out = withFloatBuffers([a, b, c0, c0, c0]) { p in
            Matmul.gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: p[0], lda: transA ? m : k,
                        b: p[1], ldb: transB ? k : n, beta: 1, c: p[2], ldc: n)
            for dst in [p[3], p[4]] {
                Matmul.gemmParallel(transA: transA, transB: transB, m: m, n: n, k: k, a: p[0], lda: transA ? m : k,
                                    b: p[1], ldb: transB ? k : n, beta: 1, c: dst, ldc: n)
            }
        }
        expectForward(out[3], out[2].map(Double.init), "C")
        #expect(out[3] == out[4], "two identical calls must give identical bits")
    }

    @Test func linearMatchesNaive() {
        let n = 6, c = 8, oc = 12
        let x = f32(NumericChecks.randomValues(n * c, seed: 4)), w = f32(NumericChecks.randomValues(c * oc, seed: 5))
        let bias = f32(NumericChecks.randomValues(oc, seed: 6)), g = f32(NumericChecks.randomValues(n * oc, seed: 7))
        let seedGrad = f32(NumericChecks.randomValues(n * c, seed: 8))  // backward must add, not overwrite
        var ref = zeros(n * oc)
        Matmul.linearForwardNaive(out: &ref, inp: x, weight: w, bias: bias, n: n, c: c, oc: oc)
        var dx = seedGrad, dw = zeros(c * oc), db = zeros(oc)
        Matmul.linearBackwardNaive(dinp: &dx, dweight: &dw, dbias: &db, dout: g, inp: x, weight: w, n: n, c: c, oc: oc)
        let out = withFloatBuffers([zeros(n * oc), x, w, bias, g, seedGrad, zeros(c * oc), zeros(oc)]) { p in
            Matmul.linearForward(out: p[0], inp: p[1], weight: p[2], bias: p[3], n: n, c: c, oc: oc)
            Matmul.linearBackward(dinp: p[5], dweight: p[6], dbias: p[7], dout: p[4], inp: p[1], weight: p[2], n: n, c: c, oc: oc)
        }
        expectForward(out[0], ref, "out")
        expectBackward(out[5], dx, "dinp")
        expectBackward(out[6], dw, "dweight")
        expectBackward(out[7], db, "dbias")
    }

    @Test func embeddingMatchesNaive() {
        let n = 6, c = 4, v = 5, maxT = 4
        let tokens: [Int32] = [1, 4, 1, 0, 3, 3], positions: [Int32] = [0, 1, 2, 3, 0, 1]
        let wte = f32(NumericChecks.randomValues(v * c, seed: 9)), wpe = f32(NumericChecks.randomValues(maxT * c, seed: 10))
        let g = f32(NumericChecks.randomValues(n * c, seed: 11))
        var ref = zeros(n * c), dwte = zeros(v * c), dwpe = zeros(maxT * c)
        Embedding.forwardNaive(out: &ref, tokens: tokens, positions: positions, wte: wte, wpe: wpe, n: n, c: c)
        Embedding.backwardNaive(dwte: &dwte, dwpe: &dwpe, dout: g, tokens: tokens, positions: positions, n: n, c: c)
        let out = withFloatBuffers([zeros(n * c), wte, wpe, g, zeros(v * c), zeros(maxT * c)]) { p in
            tokens.withUnsafeBufferPointer { tk in
                positions.withUnsafeBufferPointer { ps in
                    Embedding.forward(out: p[0], tokens: tk.baseAddress!, positions: ps.baseAddress!, wte: p[1], wpe: p[2], n: n, c: c)
                    Embedding.backward(dwte: p[4], dwpe: p[5], dout: p[3], tokens: tk.baseAddress!, positions: ps.baseAddress!, n: n, c: c)
                }
            }
        }
        expectForward(out[0], ref, "out")
        expectBackward(out[4], dwte, "dwte")
        expectBackward(out[5], dwpe, "dwpe")
    }

    @Test func layerNormMatchesNaive() {
        let n = 5, c = 32
        let x = f32(NumericChecks.randomValues(n * c, seed: 12, in: -3...3))
        let w = f32(NumericChecks.randomValues(c, seed: 13)), b = f32(NumericChecks.randomValues(c, seed: 14))
        let g = f32(NumericChecks.randomValues(n * c, seed: 15))
        var ref = zeros(n * c), dx = zeros(n * c), dw = zeros(c), db = zeros(c)
        LayerNorm.forwardNaive(out: &ref, inp: x, weight: w, bias: b, n: n, c: c, epsilon: 1e-5)
        LayerNorm.backwardNaive(dinp: &dx, dweight: &dw, dbias: &db, dout: g, inp: x, weight: w, n: n, c: c, epsilon: 1e-5)
        let out = withFloatBuffers([zeros(n * c), zeros(n), zeros(n), x, w, b, g, zeros(n * c), zeros(c), zeros(c)]) { p in
            LayerNorm.forward(out: p[0], mean: p[1], rstd: p[2], inp: p[3], weight: p[4], bias: p[5], n: n, c: c, epsilon: 1e-5)
            LayerNorm.backward(dinp: p[7], dweight: p[8], dbias: p[9], dout: p[6], inp: p[3], weight: p[4], mean: p[1], rstd: p[2], n: n, c: c)
        }
        expectForward(out[0], ref, "out")
        expectBackward(out[7], dx, "dinp")
        expectBackward(out[8], dw, "dweight")
        expectBackward(out[9], db, "dbias")
    }

    /// hd = 20 exercises both the 16-lane SIMD body and the scalar tail of the dot products; block
    /// sizes 1, 3 (blocks of 3, 3, 1 rows) and 64 (one block) exercise the causal tiling.
    @Test(arguments: [false, true], [1, 3, Attention.defaultBlockRows])
    func attentionMatchesNaive(packed: Bool, blockRows: Int) {
        let b = 2, t = 7, c = 40, nh = 2
        let segments: [Int32] = packed ? [0, 0, 0, 1, 1, 2, 2, 5, 5, 5, 5, 6, 6, 6] : []
        let qkv = f32(NumericChecks.randomValues(b * t * 3 * c, seed: 16, in: -1...1))
        let g = f32(NumericChecks.randomValues(b * t * c, seed: 17))
        var ref = zeros(b * t * c), att = zeros(b * nh * t * t), dqkv = zeros(qkv.count)
        Attention.forwardNaive(out: &ref, att: &att, qkv: qkv, segments: segments, b: b, t: t, c: c, nh: nh)
        Attention.backwardNaive(dqkv: &dqkv, dout: g, qkv: qkv, att: att, b: b, t: t, c: c, nh: nh)
        let seg32 = segments.isEmpty ? [Int32](repeating: 0, count: b * t) : segments
        // att and the scratch start as NaN: every entry the kernels read must have been written first
        let nan = [Double](repeating: .nan, count: b * nh * t * t)
        let out = withFloatBuffers([zeros(b * t * c), nan, qkv, g, zeros(qkv.count), nan]) { p in
            seg32.withUnsafeBufferPointer { s in
                let sp = packed ? s.baseAddress! : nil
                Attention.forward(out: p[0], att: p[1], qkv: p[2], segments: sp, b: b, t: t, c: c, nh: nh, blockRows: blockRows)
                Attention.backward(dqkv: p[4], scratch: p[5], dout: p[3], qkv: p[2], att: p[1], segments: sp, b: b, t: t, c: c, nh: nh,
                                   blockRows: blockRows)
            }
        }
        expectForward(out[0], ref, "out")
        // att on and below the diagonal (the tiling leaves entries past a block's last row unwritten)
        let causal = (0..<att.count).filter { ($0 % t) <= ($0 / t) % t }
        expectForward(causal.map { out[1][$0] }, causal.map { att[$0] }, "att")
        expectBackward(out[4], dqkv, "dqkv")
    }

    /// Without kept probabilities each parallel chunk reuses one T·T slot for all its (b, h): the output
    /// must not change by a bit, with one chunk (1 thread) or several (3 threads, 6 tasks of enough
    /// work to fan out).
    @Test(arguments: [1, 3])
    func attentionWithoutKeptProbabilitiesGivesTheSameOutputBits(threads: Int) {
        let b = 3, t = 12, c = 32, nh = 2
        let qkv = f32(NumericChecks.randomValues(b * t * 3 * c, seed: 21, in: -1...1))
        ComputeThreads.set(threads)
        defer { ComputeThreads.set(nil) }
        let out = withFloatBuffers([zeros(b * t * c), zeros(b * nh * t * t), qkv, zeros(b * t * c), zeros(b * nh * t * t)]) { p in
            Attention.forward(out: p[0], att: p[1], qkv: p[2], segments: nil, b: b, t: t, c: c, nh: nh, blockRows: 5)
            Attention.forward(out: p[3], att: p[4], qkv: p[2], segments: nil, b: b, t: t, c: c, nh: nh, blockRows: 5,
                              keepProbabilities: false)
        }
        #expect(out[0].map(\.bitPattern) == out[3].map(\.bitPattern))
        // the reused slots: only the slot of each chunk's first (b, h) was written
        let written = (0..<(b * nh)).filter { task in out[4][task * t * t..<(task + 1) * t * t].contains { $0 != 0 } }
        #expect(written == (threads == 1 ? [0] : [0, 2, 4]))
    }

    @Test func geluMatchesNaive() {
        let x = f32(NumericChecks.randomValues(40, seed: 18, in: -6...6)), g = f32(NumericChecks.randomValues(40, seed: 19))
        // dinp starts as garbage: backward overwrites it
        let out = withFloatBuffers([zeros(40), x, g, [Double](repeating: 7, count: 40)]) { p in
            GELU.forward(out: p[0], inp: p[1], n: 40)
            GELU.backward(dinp: p[3], inp: p[1], dout: p[2], n: 40)
        }
        expectForward(out[0], GELU.forwardNaive(x), "out")
        expectBackward(out[3], GELU.backwardNaive(x, dout: g), "dinp")
    }

    @Test func residualMatchesNaive() {
        let a = f32(NumericChecks.randomValues(10, seed: 20)), b = f32(NumericChecks.randomValues(10, seed: 21))
        let g = f32(NumericChecks.randomValues(10, seed: 22))
        let out = withFloatBuffers([zeros(10), a, b, g, zeros(10), zeros(10)]) { p in
            Residual.forward(out: p[0], a: p[1], b: p[2], n: 10)
            Residual.backward(da: p[4], db: p[5], dout: p[3], n: 10)
        }
        expectForward(out[0], Residual.forwardNaive(a, b), "out")
        expectBackward(out[4], g, "da")
        expectBackward(out[5], g, "db")
    }

    /// The training loss runs softmax in place over the logits; both forms give the same bits.
    @Test func softmaxInPlaceEqualsSoftmaxIntoAnotherBuffer() {
        let n = 3, v = 101
        let x = f32(NumericChecks.randomValues(n * v, seed: 25, in: -8...8))
        let out = withFloatBuffers([zeros(n * v), x, x]) { p in
            Softmax.forward(probs: p[0], logits: p[1], n: n, v: v)
            Softmax.forward(probs: p[2], logits: p[2], n: n, v: v)
        }
        #expect(out[0] == out[2])
        expectForward(out[2], Softmax.forwardNaive(x, n: n, v: v), "in-place probs")
    }

    @Test func softmaxAndMaskedCrossEntropyMatchNaive() {
        let n = 4, v = 37
        let x = f32(NumericChecks.randomValues(n * v, seed: 23, in: -5...5)), g = f32(NumericChecks.randomValues(n * v, seed: 24))
        let targets: [Int32] = [3, -1, 36, 0]
        let weights = [0.25, 0, 0.5, 0]
        let probsRef = Softmax.forwardNaive(x, n: n, v: v)
        let dRef = Softmax.backwardNaive(probs: probsRef, dprobs: g, n: n, v: v)
        let (lossRef, dceRef) = CrossEntropy.naive(logits: x, targets: targets, weights: weights, n: n, v: v)
        var lossFast = 0.0
        let out = withFloatBuffers([zeros(n * v), x, g, zeros(n * v), zeros(n), f32(weights)]) { p in
            Softmax.forward(probs: p[0], logits: p[1], n: n, v: v)
            Softmax.backward(dlogits: p[3], probs: p[0], dprobs: p[2], n: n, v: v)
            targets.withUnsafeBufferPointer { t in
                CrossEntropy.forward(losses: p[4], probs: p[0], targets: t.baseAddress!, n: n, v: v)
                for i in 0..<n { lossFast += Double(p[5][i]) * Double(p[4][i]) }
                // in place: the probabilities become the logits' gradient
                CrossEntropy.softmaxBackward(dlogits: p[0], probs: p[0], targets: t.baseAddress!, weights: p[5], n: n, v: v)
            }
        }
        expectBackward(out[3], dRef, "softmax dlogits")
        expectBackward(out[0], dceRef, "cross-entropy dlogits")
        #expect(abs(lossFast - lossRef) < 1e-5)
        #expect(out[0][(v)..<(2 * v)].allSatisfy { $0 == 0 }, "an ignored position must get no gradient")
    }

    @Test func adamWMatchesNaive() {
        let n = 20
        var p = f32(NumericChecks.randomValues(n, seed: 25)), m = zeros(n), v = zeros(n)
        let grads = (1...3).map { f32(NumericChecks.randomValues(n, seed: 26 + UInt64($0))) }
        let s = AdamWSettings(beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0.1)
        var fast = p.map(Float.init), fm = [Float](repeating: 0, count: n), fv = fm
        for (k, g) in grads.enumerated() {
            AdamW.updateNaive(params: &p, grads: g, m: &m, v: &v, learningRate: 1e-2, beta1: 0.9, beta2: 0.95,
                              epsilon: 1e-8, weightDecay: 0.1, step: k + 1)
            let gf = g.map(Float.init)
            gf.withUnsafeBufferPointer { gp in
                AdamW.update(params: &fast, grads: gp.baseAddress!, m: &fm, v: &fv, n: n, learningRate: 1e-2,
                             settings: s, decay: true, step: k + 1)
            }
        }
        expectForward(fast, p, "params")
    }

    @Test func clippingScalesToTheMaximumNorm() {
        let g: [Float] = [3, 4, 0, 12]  // norm 13
        let norm = g.withUnsafeBufferPointer { VectorMath.sumOfSquares($0.baseAddress!, $0.count) }.squareRoot()
        #expect(norm == 13)
        #expect(abs(GradientClipping.scale(norm: norm, maxNorm: 1.3) - 0.1) < 1e-6)
        #expect(GradientClipping.scale(norm: norm, maxNorm: 20) == 1)
    }
}
