import Compute
import Foundation
import TestSupport
import Testing

/// Every kernel's Float64 reference backward against central finite differences of its reference
/// forward, projected on a random upstream gradient g: d/dx Σ g·f(x).
@Suite struct KernelGradientTests {
    func expectClose(_ a: [Double], _ b: [Double], _ label: String) {
        let m = NumericChecks.mismatch(a, b, atol: Tolerance.finiteDifferenceAbs, rtol: Tolerance.finiteDifferenceRel, label: label)
        #expect(m == nil, "\(m ?? "")")
    }

    @Test func linearBackwardMatchesFiniteDifferences() {
        let n = 3, c = 4, oc = 5
        let x = NumericChecks.randomValues(n * c, seed: 1), w = NumericChecks.randomValues(c * oc, seed: 2)
        let bias = NumericChecks.randomValues(oc, seed: 3), g = NumericChecks.randomValues(n * oc, seed: 4)
        func loss(_ x: [Double], _ w: [Double], _ bias: [Double]) -> Double {
            var out = zeros(n * oc)
            Matmul.linearForwardNaive(out: &out, inp: x, weight: w, bias: bias, n: n, c: c, oc: oc)
            return NumericChecks.dot(out, g)
        }
        var dx = zeros(n * c), dw = zeros(c * oc), db = zeros(oc)
        Matmul.linearBackwardNaive(dinp: &dx, dweight: &dw, dbias: &db, dout: g, inp: x, weight: w, n: n, c: c, oc: oc)
        expectClose(dx, NumericChecks.finiteDifferenceGradient(at: x) { loss($0, w, bias) }, "dinp")
        expectClose(dw, NumericChecks.finiteDifferenceGradient(at: w) { loss(x, $0, bias) }, "dweight")
        expectClose(db, NumericChecks.finiteDifferenceGradient(at: bias) { loss(x, w, $0) }, "dbias")
    }

    @Test func embeddingBackwardMatchesFiniteDifferences() {
        let n = 5, c = 3, v = 4, maxT = 3
        let tokens: [Int32] = [0, 2, 2, 3, 1], positions: [Int32] = [0, 1, 2, 0, 1]
        let wte = NumericChecks.randomValues(v * c, seed: 5), wpe = NumericChecks.randomValues(maxT * c, seed: 6)
        let g = NumericChecks.randomValues(n * c, seed: 7)
        func loss(_ wte: [Double], _ wpe: [Double]) -> Double {
            var out = zeros(n * c)
            Embedding.forwardNaive(out: &out, tokens: tokens, positions: positions, wte: wte, wpe: wpe, n: n, c: c)
            return NumericChecks.dot(out, g)
        }
        var dwte = zeros(v * c), dwpe = zeros(maxT * c)
        Embedding.backwardNaive(dwte: &dwte, dwpe: &dwpe, dout: g, tokens: tokens, positions: positions, n: n, c: c)
        expectClose(dwte, NumericChecks.finiteDifferenceGradient(at: wte) { loss($0, wpe) }, "dwte")
        expectClose(dwpe, NumericChecks.finiteDifferenceGradient(at: wpe) { loss(wte, $0) }, "dwpe")
    }

    @Test func layerNormBackwardMatchesFiniteDifferences() {
        let n = 3, c = 6, eps = 1e-5
        let x = NumericChecks.randomValues(n * c, seed: 8, in: -2...2)
        let w = NumericChecks.randomValues(c, seed: 9), b = NumericChecks.randomValues(c, seed: 10)
        let g = NumericChecks.randomValues(n * c, seed: 11)
        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            var out = zeros(n * c)
            LayerNorm.forwardNaive(out: &out, inp: x, weight: w, bias: b, n: n, c: c, epsilon: eps)
            return NumericChecks.dot(out, g)
        }
        var dx = zeros(n * c), dw = zeros(c), db = zeros(c)
        LayerNorm.backwardNaive(dinp: &dx, dweight: &dw, dbias: &db, dout: g, inp: x, weight: w, n: n, c: c, epsilon: eps)
        expectClose(dx, NumericChecks.finiteDifferenceGradient(at: x) { loss($0, w, b) }, "dinp")
        expectClose(dw, NumericChecks.finiteDifferenceGradient(at: w) { loss(x, $0, b) }, "dweight")
        expectClose(db, NumericChecks.finiteDifferenceGradient(at: b) { loss(x, w, $0) }, "dbias")
    }

    @Test(arguments: [false, true])
    func attentionBackwardMatchesFiniteDifferences(packed: Bool) {
        let b = 2, t = 5, c = 4, nh = 2
        let segments: [Int32] = packed ? [0, 0, 1, 1, 1, 0, 0, 0, 2, 3] : []
        let qkv = NumericChecks.randomValues(b * t * 3 * c, seed: 12, in: -2...2)
        let g = NumericChecks.randomValues(b * t * c, seed: 13)
        func forward(_ qkv: [Double]) -> ([Double], [Double]) {
            var out = zeros(b * t * c), att = zeros(b * nh * t * t)
            Attention.forwardNaive(out: &out, att: &att, qkv: qkv, segments: segments, b: b, t: t, c: c, nh: nh)
            return (out, att)
        }
        let (_, att) = forward(qkv)
        var dqkv = zeros(qkv.count)
        Attention.backwardNaive(dqkv: &dqkv, dout: g, qkv: qkv, att: att, b: b, t: t, c: c, nh: nh)
        expectClose(dqkv, NumericChecks.finiteDifferenceGradient(at: qkv) { NumericChecks.dot(forward($0).0, g) }, "dqkv")
    }

    @Test func geluBackwardMatchesFiniteDifferences() {
        // includes the saturated tails, where tanh' underflows towards 0
        let x = NumericChecks.randomValues(16, seed: 14, in: -4...4) + [-12, 12, 0]
        let g = NumericChecks.randomValues(x.count, seed: 15)
        let d = GELU.backwardNaive(x, dout: g)
        expectClose(d, NumericChecks.finiteDifferenceGradient(at: x) { NumericChecks.dot(GELU.forwardNaive($0), g) }, "dinp")
    }

    @Test func softmaxBackwardMatchesFiniteDifferences() {
        let n = 2, v = 5
        let x = NumericChecks.randomValues(n * v, seed: 16, in: -3...3), g = NumericChecks.randomValues(n * v, seed: 17)
        let p = Softmax.forwardNaive(x, n: n, v: v)
        let d = Softmax.backwardNaive(probs: p, dprobs: g, n: n, v: v)
        expectClose(d, NumericChecks.finiteDifferenceGradient(at: x) { NumericChecks.dot(Softmax.forwardNaive($0, n: n, v: v), g) }, "dlogits")
    }

    @Test func maskedCrossEntropyBackwardMatchesFiniteDifferences() {
        let n = 4, v = 6
        let x = NumericChecks.randomValues(n * v, seed: 18, in: -3...3)
        let targets: [Int32] = [1, 5, -1, 0]
        let weights = [0.5, 0.5, 0, 0]  // position 3 masked out by weight, position 2 by target -1
        let (_, d) = CrossEntropy.naive(logits: x, targets: targets, weights: weights, n: n, v: v)
        expectClose(d, NumericChecks.finiteDifferenceGradient(at: x) {
            CrossEntropy.naive(logits: $0, targets: targets, weights: weights, n: n, v: v).loss
        }, "dlogits")
        #expect(d[(2 * v)..<(4 * v)].allSatisfy { $0 == 0 }, "ignored positions must get no gradient")
    }

    @Test func residualGradientIsTheIdentity() {
        let a = NumericChecks.randomValues(6, seed: 19), b = NumericChecks.randomValues(6, seed: 20)
        let g = NumericChecks.randomValues(6, seed: 21)
        let fd = NumericChecks.finiteDifferenceGradient(at: a) { NumericChecks.dot(Residual.forwardNaive($0, b), g) }
        expectClose(g, fd, "da")
    }
}
