import Foundation

/// Human-readable numbers for reports: `1.2 M`, `3.4 GFLOP`, `12.3 s`, `210 MiB`, `4.8 %`.
/// Locale-independent (always a `.` decimal point), so reports read the same on every machine.
public enum Units {
    /// A count with a metric suffix: `940`, `12.5 K`, `1.2 M`, `3.4 G`.
    public static func count(_ value: Double) -> String {
        scaled(value, steps: [(1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " K")], unit: "")
    }

    /// FLOPs: `950 FLOP`, `3.4 GFLOP`, `1.73 TFLOP`, `2.1 PFLOP`.
    public static func flops(_ value: Double) -> String {
        scaled(value, steps: [(1e15, " P"), (1e12, " T"), (1e9, " G"), (1e6, " M"), (1e3, " k")], unit: "FLOP")
    }

    /// Seconds: `0.42 s`, `12.3 s`, `2 min 05 s`, `1 h 02 min`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 0 else { return "–" }
        if seconds < 10 { return fixed(seconds, 2) + " s" }
        if seconds < 60 { return fixed(seconds, 1) + " s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return "\(whole / 60) min " + pad2(whole % 60) + " s" }
        return "\(whole / 3600) h " + pad2(whole % 3600 / 60) + " min"
    }

    /// Memory given in MiB: `210 MiB`, `1.2 GiB`.
    public static func mebibytes(_ value: Double) -> String {
        guard value.isFinite else { return "–" }
        if value >= 1024 { return significant(value / 1024) + " GiB" }
        return (value >= 100 ? fixed(value, 0) : significant(value)) + " MiB"
    }

    /// A fraction 0…1 as a percentage: `100 %`, `48.2 %`, `4.8 %`, `0.12 %`.
    public static func percent(_ fraction: Double) -> String {
        guard fraction.isFinite else { return "–" }
        let p = fraction * 100
        if p == 100 || p == 0 { return fixed(p, 0) + " %" }
        return significant(p) + " %"
    }

    /// A metric value (loss, accuracy): four significant digits, no exponent for ordinary sizes.
    public static func metric(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "∞" : "−∞") }
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6) { return String(format: "%.3e", value) }
        if magnitude >= 1000 { return fixed(value, 0) }
        if magnitude >= 100 { return fixed(value, 1) }
        if magnitude >= 10 { return fixed(value, 2) }
        return fixed(value, magnitude >= 1 ? 3 : 4)
    }

    /// An axis tick: as short as the tick spacing allows (`0.5`, `1.25`, `2k`, `10k`).
    static func tick(_ value: Double, spacing: Double) -> String {
        if abs(value) >= 10_000, spacing >= 1000 {
            let k = value / 1000
            return (k == k.rounded() ? fixed(k, 0) : fixed(k, 1)) + "k"
        }
        let decimals = max(0, min(6, Int((-log10(spacing)).rounded(.up))))
        return fixed(value, decimals)
    }

    // MARK: - Helpers

    private static func scaled(_ value: Double, steps: [(Double, String)], unit: String) -> String {
        guard value.isFinite else { return "–" }
        for (scale, suffix) in steps where abs(value) >= scale {
            return significant(value / scale) + suffix + unit
        }
        let plain = value == value.rounded() ? fixed(value, 0) : significant(value)
        return unit.isEmpty ? plain : plain + " " + unit
    }

    /// Three significant digits, trailing zeros dropped: `1.2`, `12.3`, `123`, `0.0042`.
    static func significant(_ value: Double) -> String {
        let magnitude = abs(value)
        let decimals: Int
        if magnitude >= 100 || magnitude == 0 { decimals = 0 } else if magnitude >= 10 { decimals = 1 } else if magnitude >= 1 {
            decimals = 2
        } else {
            decimals = min(8, 2 - Int(log10(magnitude).rounded(.down)))
        }
        var text = fixed(value, decimals)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }

    static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(decimals)f", locale: Locale(identifier: "en_US_POSIX"), value)
    }

    private static func pad2(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
