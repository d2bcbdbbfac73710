import Foundation

/// Rotary position embeddings (Su et al. 2021, "RoFormer") in Hugging Face's half-split layout
/// (`rotate_half`): inside each head vector of width hd, element i < hd/2 pairs with i + hd/2 and the
/// pair is rotated by the angle position·θ_i. Applied in place to the q and k parts of a qkv row; a
/// rotation's gradient is the inverse rotation, so backward needs only the same cos/sin table.
public enum Rotary {
    /// How `rope_scaling` changes the frequencies (HF `modeling_rope_utils`).
    public enum Scaling: Sendable, Hashable, Codable {
        /// `rope_type` "default" (or no `rope_scaling`).
        case none
        /// `rope_type` "llama3": low frequencies divided by `factor`, high ones kept, a smooth blend between.
        case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContext: Int)
    }

    /// θ_i for i in 0 ..< hd/2, computed in Float32 the way HF's `_compute_default_rope_parameters` does
    /// (base ** (2i/hd) as float32, then its reciprocal), then scaled.
    public static func inverseFrequencies(headDim hd: Int, theta: Double, scaling: Scaling = .none) -> [Float] {
        var inv = (0..<(hd / 2)).map { i -> Float in
            let exponent = Float(2 * i) / Float(hd)
            return 1 / Float(Foundation.pow(Double(Float(theta)), Double(exponent)))
        }
        if case let .llama3(factor, low, high, original) = scaling {
            // HF `_compute_llama3_parameters`, elementwise in Float32.
            let lowWavelength = Float(original) / Float(low), highWavelength = Float(original) / Float(high)
            inv = inv.map { f in
                let wavelength = 2 * Float.pi / f
                if wavelength < highWavelength { return f }
                if wavelength > lowWavelength { return f / Float(factor) }
                let smooth = (Float(original) / wavelength - Float(low)) / (Float(high) - Float(low))
                return (1 - smooth) * f / Float(factor) + smooth * f
            }
        }
        return inv
    }

    /// Fills cos and sin (n, hd/2) for n positions: angle = Float32(position) · θ_i in Float32 (as HF's
    /// float32 matmul of position ids and frequencies), then cos/sin of that angle, times `attentionScale`.
    public static func table(
        cos: UnsafeMutablePointer<Float>, sin: UnsafeMutablePointer<Float>, positions: UnsafePointer<Int32>,
        inverseFrequencies inv: [Float], n: Int, attentionScale: Float = 1
    ) {
        let half = inv.count
        for r in 0..<n {
            let p = Float(positions[r])
            for i in 0..<half {
                let angle = Double(p * inv[i])
                cos[r * half + i] = Float(Foundation.cos(angle)) * attentionScale
                sin[r * half + i] = Float(Foundation.sin(angle)) * attentionScale
            }
        }
    }

    /// Rotates, in place, `heads` head vectors of width hd starting at `x` in each of n rows spaced
    /// `stride` floats apart: (x₁, x₂) → (x₁·cos − x₂·sin, x₂·cos + x₁·sin). With `inverse` the rotation
    /// runs backwards (sin negated), which is the gradient of the forward rotation.
    /// - Complexity: 3·n·heads·hd FLOP.
    public static func rotate(
        _ x: UnsafeMutablePointer<Float>, cos: UnsafePointer<Float>, sin: UnsafePointer<Float>,
        n: Int, stride: Int, heads: Int, headDim hd: Int, inverse: Bool = false
    ) {
        let half = hd / 2
        let sign: Float = inverse ? -1 : 1
        Parallel.forEachChunk(n, costPerItem: 3 * heads * hd) { rows in
            for r in rows {
                let cr = cos + r * half, sr = sin + r * half
                for h in 0..<heads {
                    let v = x + r * stride + h * hd
                    for i in 0..<half {
                        let x1 = v[i], x2 = v[i + half], c = cr[i], s = sign * sr[i]
                        v[i] = x1 * c - x2 * s
                        v[i + half] = x2 * c + x1 * s
                    }
                }
            }
        }
    }

    /// Reference of `rotate` in Float64, computing its own angles from positions and θ (no table).
    public static func rotateNaive(
        _ x: inout [Double], positions: [Int32], inverseFrequencies inv: [Double], n: Int, stride: Int, offset: Int,
        heads: Int, headDim hd: Int, inverse: Bool = false
    ) {
        let half = hd / 2
        for r in 0..<n {
            for h in 0..<heads {
                let base = r * stride + offset + h * hd
                for i in 0..<half {
                    let angle = Double(positions[r]) * inv[i] * (inverse ? -1 : 1)
                    let x1 = x[base + i], x2 = x[base + i + half]
                    x[base + i] = x1 * Foundation.cos(angle) - x2 * Foundation.sin(angle)
                    x[base + i + half] = x2 * Foundation.cos(angle) + x1 * Foundation.sin(angle)
                }
            }
        }
    }
}
