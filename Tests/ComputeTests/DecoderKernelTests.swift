import Compute
import Foundation
import TestSupport
import Testing

/// The Llama-family kernels — RMSNorm, rotary embeddings, SwiGLU, grouped-query attention, `nn.Linear`
/// weights and LoRA writing into a fused row — against their Float64 twins, and the twins' gradients
/// against central finite differences.
@Suite struct DecoderKernelTests {
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

    // MARK: RMSNorm

    @Test func rmsNormTwinGradientsMatchFiniteDifferences() {
        let n = 3, c = 6, eps = 1e-5
        let x = NumericChecks.randomValues(n * c, seed: 31, in: -2...2), w = NumericChecks.randomValues(c, seed: 32)
        let g = NumericChecks.randomValues(n * c, seed: 33)
        func loss(_ x: [Double], _ w: [Double]) -> Double {
            var out = zeros(n * c)
            RMSNorm.forwardNaive(out: &out, inp: x, weight: w, n: n, c: c, epsilon: eps)
            return NumericChecks.dot(out, g)
        }
        var dx = zeros(n * c), dw = zeros(c)
        RMSNorm.backwardNaive(dinp: &dx, dweight: &dw, dout: g, inp: x, weight: w, n: n, c: c, epsilon: eps)
        expectFD(dx, NumericChecks.finiteDifferenceGradient(at: x) { loss($0, w) }, "dinp")
        expectFD(dw, NumericChecks.finiteDifferenceGradient(at: w) { loss(x, $0) }, "dweight")
    }

    /// c = 40: the 16-lane sum of squares and its scalar tail.
    @Test func rmsNormMatchesItsTwin() {
        let n = 5, c = 40
        let x = f32(NumericChecks.randomValues(n * c, seed: 34, in: -3...3)), w = f32(NumericChecks.randomValues(c, seed: 35))
        let g = f32(NumericChecks.randomValues(n * c, seed: 36))
        var ref = zeros(n * c), dx = zeros(n * c), dw = zeros(c)
        RMSNorm.forwardNaive(out: &ref, inp: x, weight: w, n: n, c: c, epsilon: 1e-5)
        RMSNorm.backwardNaive(dinp: &dx, dweight: &dw, dout: g, inp: x, weight: w, n: n, c: c, epsilon: 1e-5)
        let out = withFloatBuffers([zeros(n * c), zeros(n), x, w, g, zeros(n * c), zeros(c)]) { p in
            RMSNorm.forward(out: p[0], rstd: p[1], inp: p[2], weight: p[3], n: n, c: c, epsilon: 1e-5)
            RMSNorm.backward(dinp: p[5], dweight: p[6], dout: p[4], inp: p[2], weight: p[3], rstd: p[1], n: n, c: c)
        }
        expectForward(out[0], ref, "out")
        expectBackward(out[5], dx, "dinp")
        expectBackward(out[6], dw, "dweight")
    }

    // MARK: Rotary

    /// The fast kernel (table + in-place rotation of NH + NKV heads in a qkv row, values untouched) against
    /// the twin, and the inverse rotation undoing the forward one.
    @Test func rotaryMatchesItsTwinAndItsInverseUndoesIt() {
        let n = 6, hd = 8, heads = 3, kvHeads = 1, width = (heads + 2 * kvHeads) * hd
        let positions: [Int32] = [0, 1, 2, 7, 0, 300]
        let inv = Rotary.inverseFrequencies(headDim: hd, theta: 10_000)
        let x = f32(NumericChecks.randomValues(n * width, seed: 37, in: -1...1))
        var ref = x
        Rotary.rotateNaive(&ref, positions: positions, inverseFrequencies: inv.map(Double.init), n: n, stride: width, offset: 0,
                           heads: heads + kvHeads, headDim: hd)
        let out = withFloatBuffers([x, zeros(n * hd / 2), zeros(n * hd / 2), x]) { p in
            positions.withUnsafeBufferPointer { pos in
                Rotary.table(cos: p[1], sin: p[2], positions: pos.baseAddress!, inverseFrequencies: inv, n: n)
            }
            Rotary.rotate(p[0], cos: p[1], sin: p[2], n: n, stride: width, heads: heads + kvHeads, headDim: hd)
            Rotary.rotate(p[3], cos: p[1], sin: p[2], n: n, stride: width, heads: heads + kvHeads, headDim: hd)
            Rotary.rotate(p[3], cos: p[1], sin: p[2], n: n, stride: width, heads: heads + kvHeads, headDim: hd, inverse: true)
        }
        expectForward(out[0], ref, "rotated")
        let valueColumns = (0..<(n * width)).filter { $0 % width >= (heads + kvHeads) * hd }
        #expect(valueColumns.allSatisfy { out[0][$0] == Float(x[$0]) }, "values are not rotated")
        expectForward(out[3], x, "inverse ∘ forward")
    }

    /// The rotation's gradient is the inverse rotation: d/dx Σ g·R(x) = R⁻¹(g).
    @Test func rotaryGradientIsTheInverseRotation() {
        let n = 3, hd = 6, positions: [Int32] = [1, 4, 9]
        let inv = [1.0, 0.3, 0.01]
        let x = NumericChecks.randomValues(n * hd, seed: 38), g = NumericChecks.randomValues(n * hd, seed: 39)
        var back = g
        Rotary.rotateNaive(&back, positions: positions, inverseFrequencies: inv, n: n, stride: hd, offset: 0, heads: 1, headDim: hd,
                           inverse: true)
        expectFD(back, NumericChecks.finiteDifferenceGradient(at: x) { x in
            var y = x
            Rotary.rotateNaive(&y, positions: positions, inverseFrequencies: inv, n: n, stride: hd, offset: 0, heads: 1, headDim: hd)
            return NumericChecks.dot(y, g)
        }, "dx")
    }

    @Test func llama3ScalingKeepsHighFrequenciesAndDividesLowOnes() {
        let plain = Rotary.inverseFrequencies(headDim: 64, theta: 500_000)
        let scaled = Rotary.inverseFrequencies(headDim: 64, theta: 500_000,
                                               scaling: .llama3(factor: 8, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 8192))
        #expect(scaled.first == plain.first)  // wavelength 2π < 8192/4: kept
        #expect(abs(scaled.last! - plain.last! / 8) <= 1e-12)  // wavelength > 8192: divided by the factor
        #expect(zip(scaled, plain).allSatisfy { $0 <= $1 && $0 >= $1 / 8 })
    }

    // MARK: SwiGLU

    @Test func swiGLUTwinGradientMatchesFiniteDifferences() {
        let n = 2, f = 5
        let x = NumericChecks.randomValues(n * 2 * f, seed: 40, in: -4...4) , g = NumericChecks.randomValues(n * f, seed: 41)
        var d = zeros(n * 2 * f)
        SwiGLU.backwardNaive(dinp: &d, inp: x, dout: g, n: n, f: f)
        expectFD(d, NumericChecks.finiteDifferenceGradient(at: x) { x in
            var out = zeros(n * f)
            SwiGLU.forwardNaive(out: &out, inp: x, n: n, f: f)
            return NumericChecks.dot(out, g)
        }, "dinp")
    }

    @Test func swiGLUMatchesItsTwin() {
        let n = 3, f = 21
        let x = f32(NumericChecks.randomValues(n * 2 * f, seed: 42, in: -8...8)), g = f32(NumericChecks.randomValues(n * f, seed: 43))
        var ref = zeros(n * f), d = zeros(n * 2 * f)
        SwiGLU.forwardNaive(out: &ref, inp: x, n: n, f: f)
        SwiGLU.backwardNaive(dinp: &d, inp: x, dout: g, n: n, f: f)
        // dinp starts as garbage: backward overwrites it
        let out = withFloatBuffers([zeros(n * f), x, g, [Double](repeating: .nan, count: n * 2 * f)]) { p in
            SwiGLU.forward(out: p[0], inp: p[1], n: n, f: f)
            SwiGLU.backward(dinp: p[3], inp: p[1], dout: p[2], n: n, f: f)
        }
        expectForward(out[0], ref, "out")
        expectBackward(out[3], d, "dinp")
    }

    // MARK: Grouped-query attention

    @Test(arguments: [false, true])
    func groupedQueryAttentionTwinGradientMatchesFiniteDifferences(packed: Bool) {
        let b = 2, t = 4, heads = AttentionHeads(count: 4, kvCount: 2, headDim: 2)
        let segments: [Int32] = packed ? [0, 0, 1, 1, 0, 0, 0, 2] : []
        let qkv = NumericChecks.randomValues(b * t * heads.qkvWidth, seed: 44, in: -2...2)
        let g = NumericChecks.randomValues(b * t * heads.outputWidth, seed: 45)
        func forward(_ qkv: [Double]) -> ([Double], [Double]) {
            var out = zeros(b * t * heads.outputWidth), att = zeros(b * heads.count * t * t)
            Attention.forwardNaive(out: &out, att: &att, qkv: qkv, segments: segments, b: b, t: t, heads: heads)
            return (out, att)
        }
        var dqkv = zeros(qkv.count)
        Attention.backwardNaive(dqkv: &dqkv, dout: g, qkv: qkv, att: forward(qkv).1, b: b, t: t, heads: heads)
        expectFD(dqkv, NumericChecks.finiteDifferenceGradient(at: qkv) { NumericChecks.dot(forward($0).0, g) }, "dqkv")
    }

    /// Query heads sharing a key/value head add into the same dk/dv: the fast kernel (one task per
    /// key/value head) against the twin, with 1 and 3 threads, hd = 20 (SIMD body and tail).
    @Test(arguments: [1, 3], [1, 3])
    func groupedQueryAttentionMatchesItsTwin(threads: Int, kvCount: Int) {
        let b = 2, t = 7, heads = AttentionHeads(count: 3, kvCount: kvCount, headDim: 20)
        let qkv = f32(NumericChecks.randomValues(b * t * heads.qkvWidth, seed: 46, in: -1...1))
        let g = f32(NumericChecks.randomValues(b * t * heads.outputWidth, seed: 47))
        var ref = zeros(b * t * heads.outputWidth), att = zeros(b * heads.count * t * t), dqkv = zeros(qkv.count)
        Attention.forwardNaive(out: &ref, att: &att, qkv: qkv, segments: [], b: b, t: t, heads: heads)
        Attention.backwardNaive(dqkv: &dqkv, dout: g, qkv: qkv, att: att, b: b, t: t, heads: heads)
        ComputeThreads.set(threads)
        defer { ComputeThreads.set(nil) }
        let nan = [Double](repeating: .nan, count: b * heads.count * t * t)
        let out = withFloatBuffers([zeros(ref.count), nan, qkv, g, zeros(qkv.count), nan]) { p in
            Attention.forward(out: p[0], att: p[1], qkv: p[2], segments: nil, b: b, t: t, heads: heads, blockRows: 3)
            Attention.backward(dqkv: p[4], scratch: p[5], dout: p[3], qkv: p[2], att: p[1], segments: nil, b: b, t: t,
                               heads: heads, blockRows: 3)
        }
        expectForward(out[0], ref, "out")
        expectBackward(out[4], dqkv, "dqkv")
    }

    // MARK: nn.Linear weights and LoRA into a fused row

    @Test func outInLinearTwinGradientsMatchFiniteDifferencesAndTheFastKernel() {
        let n = 3, c = 4, oc = 5
        let x = NumericChecks.randomValues(n * c, seed: 48), w = NumericChecks.randomValues(oc * c, seed: 49)
        let bias = NumericChecks.randomValues(oc, seed: 50), g = NumericChecks.randomValues(n * oc, seed: 51)
        func loss(_ x: [Double], _ w: [Double]) -> Double {
            var out = zeros(n * oc)
            Matmul.linearForwardNaive(out: &out, inp: x, weight: w, bias: bias, n: n, c: c, oc: oc, outIn: true)
            return NumericChecks.dot(out, g)
        }
        var dx = zeros(n * c), dw = zeros(oc * c), db = zeros(oc), ref = zeros(n * oc)
        Matmul.linearBackwardNaive(dinp: &dx, dweight: &dw, dbias: &db, dout: g, inp: x, weight: w, n: n, c: c, oc: oc, outIn: true)
        expectFD(dx, NumericChecks.finiteDifferenceGradient(at: x) { loss($0, w) }, "dinp")
        expectFD(dw, NumericChecks.finiteDifferenceGradient(at: w) { loss(x, $0) }, "dweight")
        Matmul.linearForwardNaive(out: &ref, inp: x, weight: w, bias: bias, n: n, c: c, oc: oc, outIn: true)
        let out = withFloatBuffers([zeros(n * oc), x, w, bias, g, zeros(n * c), zeros(oc * c), zeros(oc)]) { p in
            Matmul.linearForward(out: p[0], inp: p[1], weight: p[2], bias: p[3], n: n, c: c, oc: oc, outIn: true)
            Matmul.linearBackward(dinp: p[5], dweight: p[6], dbias: p[7], dout: p[4], inp: p[1], weight: p[2], n: n, c: c, oc: oc,
                                  outIn: true)
        }
        expectForward(out[0], ref, "out")
        expectBackward(out[5], dx, "dinp")
        expectBackward(out[6], dw, "dweight")
        expectBackward(out[7], db, "dbias")
    }

    /// An adapter on the k part of a q|k|v row writes and reads only its own columns.
    @Test func loraIntoAFusedRowTouchesOnlyItsColumns() {
        let n = 3, c = 4, r = 2, oc = 3, width = 10, offset = 4
        let x = f32(NumericChecks.randomValues(n * c, seed: 52)), a = f32(NumericChecks.randomValues(r * c, seed: 53))
        let b = f32(NumericChecks.randomValues(oc * r, seed: 54)), base = f32(NumericChecks.randomValues(n * width, seed: 55))
        let g = f32(NumericChecks.randomValues(n * width, seed: 56))
        var part = (0..<n).flatMap { row in base[(row * width + offset)..<(row * width + offset + oc)] }
        LowRankAdapter.forwardNaive(out: &part, x: x, a: a, b: b, scale: 0.5, n: n, c: c, r: r, oc: oc)
        let dpart = (0..<n).flatMap { row in g[(row * width + offset)..<(row * width + offset + oc)] }
        var dx = zeros(n * c), da = zeros(r * c), db = zeros(oc * r)
        LowRankAdapter.backwardNaive(dx: &dx, da: &da, db: &db, dout: dpart, x: x, a: a, b: b, scale: 0.5, n: n, c: c, r: r, oc: oc)
        let out = withFloatBuffers([base, zeros(n * r), x, a, b, g, zeros(n * c), zeros(r * c), zeros(oc * r), zeros(n * r)]) { p in
            LowRankAdapter.forward(out: p[0] + offset, hidden: p[1], x: p[2], a: p[3], b: p[4], scale: 0.5, n: n, c: c, r: r, oc: oc,
                                   ldo: width)
            LowRankAdapter.backward(dx: p[6], da: p[7], db: p[8], dhidden: p[9], dout: p[5] + offset, x: p[2], hidden: p[1],
                                    a: p[3], b: p[4], scale: 0.5, n: n, c: c, r: r, oc: oc, ldo: width)
        }
        for row in 0..<n {
            for col in 0..<width {
                let i = row * width + col
                if col >= offset && col < offset + oc {
                    #expect(abs(Double(out[0][i]) - part[row * oc + col - offset]) <= 1e-5)
                } else {
                    #expect(out[0][i] == Float(base[i]), "column \(col) outside the adapter changed")
                }
            }
        }
        expectBackward(out[6], dx, "dx")
        expectBackward(out[7], da, "da")
        expectBackward(out[8], db, "db")
    }
}
