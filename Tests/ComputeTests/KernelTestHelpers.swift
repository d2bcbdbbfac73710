import Compute
import TestSupport

/// Tolerances shared by the fast-versus-naive comparisons. The fast kernels run in Float32 and the twins
/// in Float64, so agreement is limited by Float32 rounding (~6e-8 relative per op) times the reduction
/// lengths used here (≤ 64): 1e-5 absolute plus 1e-4 relative leaves an order of magnitude of headroom.
enum Tolerance {
    static let forwardAbs = 1e-5
    static let forwardRel = 1e-4
    /// Gradients pass through one more reduction than the forward.
    static let backwardAbs = 3e-5
    static let backwardRel = 3e-4
    /// Central differences with h = 1e-6 on smooth Float64 functions of O(1) inputs: truncation error
    /// ~h² and cancellation error ~1e-16/h ≈ 1e-10.
    static let finiteDifferenceAbs = 1e-7
    static let finiteDifferenceRel = 1e-6
}

/// Runs `body` with mutable Float copies of `arrays` and returns them afterwards.
func withFloatBuffers(_ arrays: [[Double]], _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [[Float]] {
    let buffers = arrays.map { a -> UnsafeMutablePointer<Float> in
        let p = UnsafeMutablePointer<Float>.allocate(capacity: max(a.count, 1))
        for (i, v) in a.enumerated() { p[i] = Float(v) }
        return p
    }
    body(buffers)
    let out = zip(buffers, arrays).map { p, a in Array(UnsafeBufferPointer(start: p, count: a.count)) }
    buffers.forEach { $0.deallocate() }
    return out
}

func zeros(_ n: Int) -> [Double] { [Double](repeating: 0, count: n) }

/// Rounds through Float32 so the fast and naive kernels see identical inputs.
func f32(_ a: [Double]) -> [Double] { a.map { Double(Float($0)) } }
