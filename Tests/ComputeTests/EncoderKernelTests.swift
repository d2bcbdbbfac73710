import Compute
import Foundation
import TestSupport
import Testing

/// The BERT-encoder kernels — erf GELU, tanh (the pooler) and bidirectional attention with right
/// padding — against their Float64 twins, and the twins' gradients against central finite differences.
@Suite struct EncoderKernelTests {
    func expectClose(_ a: [Double], _ b: [Double], atol: Double, rtol: Double, _ label: String) {
        let m = NumericChecks.mismatch(a, b, atol: atol, rtol: rtol, label: label)
        #expect(m == nil, "\(m ?? "")")
    }
    func expectFD(_ a: [Double], _ b: [Double], _ label: String) {
        expectClose(a, b, atol: Tolerance.finiteDifferenceAbs, rtol: Tolerance.finiteDifferenceRel, label)
    }
    func expectForward(_ a: [Float], _ b: [Double], _ label: String) {
        expectClose(a.map(Double.init), b, atol: Tolerance.forwardAbs, rtol: Tolerance.forwardRel, label)
    }
    func expectBackward(_ a: [Float], _ b: [Double], _ label: String) {
        expectClose(a.map(Double.init), b, atol: Tolerance.backwardAbs, rtol: Tolerance.backwardRel, label)
    }

    // MARK: erf GELU and tanh

    @Test func erfGELUTwinGradientMatchesFiniteDifferences() {
        let x = NumericChecks.randomValues(64, seed: 71, in: -5...5), g = NumericChecks.randomValues(64, seed: 72)
        let d = ErfGELU.backwardNaive(x, dout: g)
        expectFD(d, NumericChecks.finiteDifferenceGradient(at: x) { NumericChecks.dot(ErfGELU.forwardNaive($0), g) }, "dinp")
    }

    /// Known values of x·Φ(x) (Φ(1) = 0.841344746…), and the tanh form differing from it.
    @Test func erfGELUHasTheExactValuesNotTheTanhApproximation() {
        let exact = ErfGELU.forwardNaive([-1, 0, 1, 2])
        expectClose(exact, [-0.158655254, 0, 0.841344746, 1.954499736], atol: 1e-8, rtol: 0, "x·Φ(x)")
        // the tanh approximation differs by up to 4.7e-4 (at |x| ≈ 2.7): too much for 1e-4 parity
        #expect(abs(GELU.forwardNaive([2.7])[0] - ErfGELU.forwardNaive([2.7])[0]) > 4e-4, "the tanh form is another function")
    }

    /// The vectorised erf behind the erf GELU: within 5e-7 of Float64 erf on a dense grid over [−6, 6]
    /// (beyond ±4 it returns ±1, which is erf in float), odd, and 0 at 0.
    @Test func fastErfIsWithinFiveTenMillionthsOfTheFloat64Erf() {
        var worst = 0.0, odd = true
        for i in -60_000...60_000 {
            let x = Float(i) / 10_000
            worst = max(worst, abs(Double(FastMath.erf(x)) - Foundation.erf(Double(x))))
            odd = odd && FastMath.erf(-x) == -FastMath.erf(x)
        }
        #expect(worst < 5e-7, "max |erf error| \(worst)")
        #expect(odd)
        #expect(FastMath.erf(0) == 0 && FastMath.erf(9) == 1 && FastMath.erf(-.infinity) == -1)
    }

    @Test func erfGELUMatchesItsTwin() {
        let n = 1_000
        let x = f32(NumericChecks.randomValues(n, seed: 73, in: -8...8)), g = f32(NumericChecks.randomValues(n, seed: 74))
        let out = withFloatBuffers([zeros(n), x, g, zeros(n)]) { p in
            ErfGELU.forward(out: p[0], inp: p[1], n: n)
            ErfGELU.backward(dinp: p[3], inp: p[1], dout: p[2], n: n)
        }
        expectForward(out[0], ErfGELU.forwardNaive(x), "out")
        expectBackward(out[3], ErfGELU.backwardNaive(x, dout: g), "dinp")
    }

    @Test func tanhTwinGradientMatchesFiniteDifferencesAndTheFastKernel() {
        let n = 40
        let x = NumericChecks.randomValues(n, seed: 75, in: -3...3), g = NumericChecks.randomValues(n, seed: 76)
        expectFD(Tanh.backwardNaive(x, dout: g),
                 NumericChecks.finiteDifferenceGradient(at: x) { NumericChecks.dot(Tanh.forwardNaive($0), g) }, "dinp")
        let xf = f32(x), gf = f32(g)
        let out = withFloatBuffers([zeros(n), xf, gf, zeros(n)]) { p in
            Tanh.forward(out: p[0], inp: p[1], n: n)
            Tanh.backward(dinp: p[3], out: p[0], dout: p[2], n: n)
        }
        expectForward(out[0], Tanh.forwardNaive(xf), "out")
        expectBackward(out[3], Tanh.backwardNaive(xf, dout: gf), "dinp")
    }

    // MARK: Bidirectional attention with padding

    /// Rows of length 4 (no padding), 2 and 1, grouped-query heads: finite differences of the twin. The
    /// padded positions' keys and values get no gradient.
    @Test func bidirectionalAttentionTwinGradientMatchesFiniteDifferences() {
        let b = 3, t = 4, heads = AttentionHeads(count: 4, kvCount: 2, headDim: 2)
        let lengths: [Int32] = [4, 2, 1]
        let qkv = NumericChecks.randomValues(b * t * heads.qkvWidth, seed: 77, in: -2...2)
        let g = NumericChecks.randomValues(b * t * heads.outputWidth, seed: 78)
        func forward(_ qkv: [Double]) -> ([Double], [Double]) {
            var out = zeros(b * t * heads.outputWidth), att = zeros(b * heads.count * t * t)
            BidirectionalAttention.forwardNaive(out: &out, att: &att, qkv: qkv, lengths: lengths, b: b, t: t, heads: heads)
            return (out, att)
        }
        var dqkv = zeros(qkv.count)
        BidirectionalAttention.backwardNaive(dqkv: &dqkv, dout: g, qkv: qkv, att: forward(qkv).1, b: b, t: t, heads: heads)
        expectFD(dqkv, NumericChecks.finiteDifferenceGradient(at: qkv) { NumericChecks.dot(forward($0).0, g) }, "dqkv")
        // row 1's positions 2 and 3 are padding: their key and value columns get exactly zero gradient
        let w = heads.qkvWidth, kvStart = heads.count * heads.headDim
        for i in 2..<4 { #expect((kvStart..<w).allSatisfy { dqkv[(1 * t + i) * w + $0] == 0 }, "padded key \(i)") }
    }

    /// A padded position's key and value never change any output: perturbing them leaves out unchanged,
    /// and a query sees later positions too (not causal).
    @Test func bidirectionalAttentionIgnoresPaddingAndSeesTheFuture() {
        let b = 1, t = 3, heads = AttentionHeads(count: 1, kvCount: 1, headDim: 2)
        var qkv = NumericChecks.randomValues(t * heads.qkvWidth, seed: 79, in: -1...1)
        func run(_ qkv: [Double], _ len: Int32) -> [Double] {
            var out = zeros(t * 2), att = zeros(t * t)
            BidirectionalAttention.forwardNaive(out: &out, att: &att, qkv: qkv, lengths: [len], b: b, t: t, heads: heads)
            return out
        }
        let before = run(qkv, 2)
        let full = run(qkv, 3)
        for c in 2..<6 { qkv[2 * 6 + c] += 10 }  // position 2's key and value
        #expect(run(qkv, 2) == before)
        #expect(run(qkv, 3)[0] != full[0], "position 0 attends to position 2")
    }

    /// The fast kernel against the twin: 1 and 3 threads, MHA and GQA, hd = 20, padding in the batch,
    /// NaN-filled att and scratch (only the entries written are read).
    @Test(arguments: [1, 3], [1, 3])
    func bidirectionalAttentionMatchesItsTwin(threads: Int, kvCount: Int) {
        let b = 3, t = 7, heads = AttentionHeads(count: 3, kvCount: kvCount, headDim: 20)
        let lengths: [Int32] = [7, 3, 1]
        let qkv = f32(NumericChecks.randomValues(b * t * heads.qkvWidth, seed: 80, in: -1...1))
        let g = f32(NumericChecks.randomValues(b * t * heads.outputWidth, seed: 81))
        var ref = zeros(b * t * heads.outputWidth), att = zeros(b * heads.count * t * t), dqkv = zeros(qkv.count)
        BidirectionalAttention.forwardNaive(out: &ref, att: &att, qkv: qkv, lengths: lengths, b: b, t: t, heads: heads)
        BidirectionalAttention.backwardNaive(dqkv: &dqkv, dout: g, qkv: qkv, att: att, b: b, t: t, heads: heads)
        ComputeThreads.set(threads)
        defer { ComputeThreads.set(nil) }
        let nan = [Double](repeating: .nan, count: b * heads.count * t * t)
        let out = withFloatBuffers([zeros(ref.count), nan, qkv, g, zeros(qkv.count), nan]) { p in
            lengths.withUnsafeBufferPointer { len in
                BidirectionalAttention.forward(out: p[0], att: p[1], qkv: p[2], lengths: len.baseAddress!, b: b, t: t, heads: heads)
                BidirectionalAttention.backward(dqkv: p[4], scratch: p[5], dout: p[3], qkv: p[2], att: p[1], lengths: len.baseAddress!,
                                                b: b, t: t, heads: heads)
            }
        }
        expectForward(out[0], ref, "out")
        expectForward(out[1], att, "att")
        expectBackward(out[4], dqkv, "dqkv")
    }
}
