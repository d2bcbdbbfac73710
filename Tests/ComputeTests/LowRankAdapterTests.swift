import Compute
import Testing
import TestSupport

/// The LoRA low-rank update: the BLAS kernel against its Float64 twin, and the twin's backward against
/// finite differences of its forward.
@Suite struct LowRankAdapterTests {
    static let shape = (n: 5, c: 7, r: 3, oc: 6)
    static let scale = 1.75

    static func inputs() -> (x: [Double], a: [Double], b: [Double], out: [Double], dout: [Double]) {
        let (n, c, r, oc) = shape
        return (NumericChecks.randomValues(n * c, seed: 1), NumericChecks.randomValues(r * c, seed: 2),
         NumericChecks.randomValues(oc * r, seed: 3), NumericChecks.randomValues(n * oc, seed: 4),
         NumericChecks.randomValues(n * oc, seed: 5))
    }

    @Test func forwardAndBackwardMatchTheNaiveTwin() throws {
        let (n, c, r, oc) = Self.shape
        let (x, a, b, out0, dout) = Self.inputs()
        var expectedOut = out0
        LowRankAdapter.forwardNaive(out: &expectedOut, x: x, a: a, b: b, scale: Self.scale, n: n, c: c, r: r, oc: oc)
        var dx = [Double](repeating: 0.5, count: n * c), da = [Double](repeating: 0.25, count: r * c)
        var db = [Double](repeating: -0.5, count: oc * r)
        LowRankAdapter.backwardNaive(dx: &dx, da: &da, db: &db, dout: dout, x: x, a: a, b: b, scale: Self.scale, n: n, c: c, r: r, oc: oc)

        var fx = x.map(Float.init), fa = a.map(Float.init), fb = b.map(Float.init), fout = out0.map(Float.init)
        var hidden = [Float](repeating: 0, count: n * r), dhidden = [Float](repeating: 0, count: n * r)
        var fdx = [Float](repeating: 0.5, count: n * c), fda = [Float](repeating: 0.25, count: r * c)
        var fdb = [Float](repeating: -0.5, count: oc * r)
        let fdout = dout.map(Float.init)
        LowRankAdapter.forward(out: &fout, hidden: &hidden, x: &fx, a: &fa, b: &fb, scale: Float(Self.scale), n: n, c: c, r: r, oc: oc)
        LowRankAdapter.backward(dx: &fdx, da: &fda, db: &fdb, dhidden: &dhidden, dout: fdout, x: fx, hidden: hidden, a: fa, b: fb,
                                scale: Float(Self.scale), n: n, c: c, r: r, oc: oc)
        // Float32 BLAS vs Float64 on O(1) values with ≤ 7-term sums: ~1e-6 observed.
        let tol = 1e-5
        #expect(NumericChecks.mismatch(fout, expectedOut, atol: tol, rtol: tol, label: "out") == nil)
        #expect(NumericChecks.mismatch(fdx, dx, atol: tol, rtol: tol, label: "dx") == nil)
        #expect(NumericChecks.mismatch(fda, da, atol: tol, rtol: tol, label: "dA") == nil)
        #expect(NumericChecks.mismatch(fdb, db, atol: tol, rtol: tol, label: "dB") == nil)
    }

    @Test func naiveBackwardMatchesFiniteDifferences() throws {
        let (n, c, r, oc) = Self.shape
        let (x, a, b, _, dout) = Self.inputs()
        // L = Σ dout ⊙ forward(x, A, B): its gradients are exactly what backward adds.
        func loss(_ x: [Double], _ a: [Double], _ b: [Double]) -> Double {
            var out = [Double](repeating: 0, count: n * oc)
            LowRankAdapter.forwardNaive(out: &out, x: x, a: a, b: b, scale: Self.scale, n: n, c: c, r: r, oc: oc)
            return NumericChecks.dot(out, dout)
        }
        var dx = [Double](repeating: 0, count: n * c), da = [Double](repeating: 0, count: r * c), db = [Double](repeating: 0, count: oc * r)
        LowRankAdapter.backwardNaive(dx: &dx, da: &da, db: &db, dout: dout, x: x, a: a, b: b, scale: Self.scale, n: n, c: c, r: r, oc: oc)
        // Central differences of a cubic in Float64 with h = 1e-6: truncation ~1e-12, rounding ~1e-9.
        let tol = 1e-7
        #expect(NumericChecks.mismatch(dx, NumericChecks.finiteDifferenceGradient(at: x) { loss($0, a, b) }, atol: tol, rtol: tol, label: "dx") == nil)
        #expect(NumericChecks.mismatch(da, NumericChecks.finiteDifferenceGradient(at: a) { loss(x, $0, b) }, atol: tol, rtol: tol, label: "dA") == nil)
        #expect(NumericChecks.mismatch(db, NumericChecks.finiteDifferenceGradient(at: b) { loss(x, a, $0) }, atol: tol, rtol: tol, label: "dB") == nil)
    }
}
