import Foundation

/// A small horizontal bar chart of one metric across models (one of the evaluation's small
/// multiples): one bar per model in the model's colour, its value at the bar's end, the best
/// value marked. When every value is positive and they span more than 10× (a perplexity of 3 next to one
/// of 3,000), the axis is logarithmic from the decade below the smallest value to the decade above the
/// largest, so the small bars stay readable; the title says so.
struct BarChart {
    struct Bar {
        var label: String
        var value: Double?
        var color: String
    }

    var title: String
    var bars: [Bar]
    /// Which end is better, to mark the best bar.
    var lowerIsBetter: Bool
    var width: Double = 340

    /// Whether the axis is logarithmic: every finite value positive and max / min > 10.
    var logScale: Bool {
        let finite = bars.compactMap(\.value).filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max(), lo > 0 else { return false }
        return hi / lo > 10
    }

    /// Where value v ends on the axis, as a fraction 0...1 of the bar space, and where bars start.
    func axis() -> (position: (Double) -> Double, origin: Double) {
        let finite = bars.compactMap(\.value).filter(\.isFinite)
        if logScale {
            let lo = (log10(finite.min()!)).rounded(.down), hi = max(lo + 1, (log10(finite.max()!)).rounded(.up))
            return ({ (log10($0) - lo) / (hi - lo) }, 0)
        }
        // Bars start at zero unless values are negative, so lengths compare honestly.
        let lo = min(0, finite.min() ?? 0)
        let hi = max(0, finite.max() ?? 1)
        let span = hi - lo > 0 ? hi - lo : 1
        return ({ ($0 - lo) / span }, (0 - lo) / span)
    }

    func svg() -> String {
        let c = Markup.coordinate
        let labelWidth = 112.0, valueWidth = 64.0, rowHeight = 26.0, top = 28.0
        let height = top + Double(bars.count) * rowHeight + 8
        let barSpace = width - labelWidth - valueWidth - 8
        let finite = bars.compactMap(\.value).filter(\.isFinite)
        let (position, origin) = axis()
        let best = lowerIsBetter ? finite.min() : finite.max()
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"bars\" viewBox=\"0 0 \(c(width)) \(c(height))\" "
            + "width=\"\(c(width))\" height=\"\(c(height))\" role=\"img\" aria-label=\"\(Markup.attribute(title))\">"
        out += "<title>\(Markup.text(title))</title>"
        out += "<text class=\"bar-title\" x=\"0\" y=\"16\">\(Markup.text(title))"
            + "<tspan class=\"muted\"> (\(lowerIsBetter ? "lower" : "higher") is better\(logScale ? "; log scale" : ""))</tspan></text>"
        let zeroX = labelWidth + origin * barSpace
        for (i, bar) in bars.enumerated() {
            let y = top + Double(i) * rowHeight
            out += "<text x=\"\(c(labelWidth - 8))\" y=\"\(c(y + 16))\" text-anchor=\"end\">"
                // 14 characters fit the 104 px left of the bars at the chart font; the full label is the tooltip
                + "\(Markup.text(Markup.modelLabel(bar.label, 14)))<title>\(Markup.text(bar.label))</title></text>"
            guard let v = bar.value, v.isFinite else {
                out += "<text class=\"muted\" x=\"\(c(labelWidth))\" y=\"\(c(y + 16))\">not measured</text>"
                continue
            }
            let end = labelWidth + position(v) * barSpace
            let x0 = min(zeroX, end), w = max(1, abs(end - zeroX))
            // a tie has no winner: only a value better than every other one is starred
            let isBest = v == best && finite.count > 1 && finite.filter { $0 == best }.count == 1
            out += "<rect x=\"\(c(x0))\" y=\"\(c(y + 4))\" width=\"\(c(w))\" height=\"\(c(rowHeight - 8))\" rx=\"2\" fill=\"\(bar.color)\">"
                + "<title>\(Markup.text(bar.label)): \(Units.metric(v))</title></rect>"
            out += "<text class=\"\(isBest ? "value best" : "value")\" x=\"\(c(max(zeroX, end) + 6))\" y=\"\(c(y + 16))\">"
                + "\(Units.metric(v))\(isBest ? " ★" : "")</text>"
        }
        out += "</svg>"
        return out
    }
}
