/// Numeric helpers for engine tests: tolerance comparison that names the worst element, and central
/// finite differences in Float64 (tinygrad's `helper_test_op`, llm.c's `check_tensor`).
public enum NumericChecks {
    /// The largest |a−b| − (atol + rtol·|b|) violation, or nil when every element is within tolerance.
    /// The message names the index and both values so a failing test says where it broke.
    public static func mismatch(
        _ a: [Double], _ b: [Double], atol: Double, rtol: Double, label: String = "values"
    ) -> String? {
        guard a.count == b.count else { return "\(label): count \(a.count) vs \(b.count)" }
        var worst = -1, worstExcess = 0.0, maxAbs = 0.0
        for i in a.indices {
            let d = abs(a[i] - b[i])
            maxAbs = max(maxAbs, d)
            let excess = d - (atol + rtol * abs(b[i]))
            if excess > worstExcess || (a[i].isNaN != b[i].isNaN) { worst = i; worstExcess = max(excess, 1) }
        }
        guard worst >= 0 else { return nil }
        return "\(label)[\(worst)]: \(a[worst]) vs \(b[worst]) (max |diff| \(maxAbs), atol \(atol), rtol \(rtol))"
    }

    /// Float convenience for `mismatch`.
    public static func mismatch(_ a: [Float], _ b: [Double], atol: Double, rtol: Double, label: String = "values") -> String? {
        mismatch(a.map(Double.init), b, atol: atol, rtol: rtol, label: label)
    }

    /// Central-difference gradient of a scalar function, (f(x+h) − f(x−h)) / 2h per coordinate.
    public static func finiteDifferenceGradient(
        at x: [Double], step h: Double = 1e-6, _ f: ([Double]) -> Double
    ) -> [Double] {
        var x = x
        var g = [Double](repeating: 0, count: x.count)
        for i in x.indices {
            let saved = x[i]
            x[i] = saved + h; let fp = f(x)
            x[i] = saved - h; let fm = f(x)
            x[i] = saved
            g[i] = (fp - fm) / (2 * h)
        }
        return g
    }

    /// Deterministic pseudo-random values in [lo, hi) (SplitMix64), for test inputs.
    public static func randomValues(_ n: Int, seed: UInt64, in range: ClosedRange<Double> = -1...1) -> [Double] {
        var s = seed
        return (0..<n).map { _ in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return range.lowerBound + (range.upperBound - range.lowerBound) * Double(z >> 11) / 9_007_199_254_740_992.0
        }
    }

    /// Σ a·b, for projecting a function's output onto a random upstream gradient.
    public static func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
}
