import Foundation

/// Global gradient-norm clipping (PyTorch `clip_grad_norm_`): if ‖g‖₂ > maxNorm, scale every gradient
/// by maxNorm / (‖g‖₂ + 1e-6).
public enum GradientClipping {
    /// The factor `clip` multiplies gradients by (1 when no clipping is needed or maxNorm ≤ 0).
    public static func scale(norm: Double, maxNorm: Double) -> Float {
        guard maxNorm > 0, norm > maxNorm else { return 1 }
        return Float(maxNorm / (norm + 1e-6))
    }

    /// Multiplies `n` values by `factor` (elementwise, parallel over disjoint ranges).
    public static func apply(_ factor: Float, to x: UnsafeMutablePointer<Float>, n: Int) {
        if factor == 1 { return }
        Parallel.forEachChunk(n, costPerItem: 1) { r in for i in r { x[i] *= factor } }
    }
}
