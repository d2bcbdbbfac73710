import Foundation

/// xoshiro256** seeded through SplitMix64: the only source of randomness in the engine. Its whole
/// state is four words (`state`), so checkpoints can save and restore it exactly.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    public var state: [UInt64]

    /// Seeds deterministically from one 64-bit value.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = [splitMix(), splitMix(), splitMix(), splitMix()]
    }

    @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]; state[3] ^= state[1]; state[1] ^= state[2]; state[0] ^= state[3]
        state[2] ^= t
        state[3] = Self.rotl(state[3], 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float { Float(next() >> 40) * (1.0 / 16_777_216.0) }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) }

    /// Standard normal (Box–Muller, one value per call, no cached spare so the state stays four words).
    public mutating func nextGaussian() -> Double {
        let u1 = max(nextDouble(), 1e-300), u2 = nextDouble()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// Fills `n` values with N(0, std²) (GPT-2 initialisation).
    public mutating func fillNormal(_ x: UnsafeMutablePointer<Float>, n: Int, std: Float) {
        for i in 0..<n { x[i] = Float(nextGaussian()) * std }
    }
}
