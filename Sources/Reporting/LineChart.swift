import Foundation

/// An inline-SVG line chart: axes with "nice" tick labels, light grid lines, one colour per
/// series and a legend. Used for loss curves (loss and val_loss against step).
struct LineChart {
    struct Series {
        var name: String
        var color: String
        /// (x, y) in data units, in x order; non-finite y values are skipped.
        var points: [(x: Double, y: Double)]
        /// Draw a dot at each point (for sparse series such as val_loss).
        var markers: Bool = false
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var width: Double = 560
    var height: Double = 300

    /// The `<svg>` element. Deterministic: same data, same bytes.
    func svg() -> String {
        let margin = (left: 58.0, right: 16.0, top: 30.0, bottom: 44.0)
        let plotW = width - margin.left - margin.right
        let plotH = height - margin.top - margin.bottom
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let c = Markup.coordinate
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(c(width)) \(c(height))\" "
            + "width=\"\(c(width))\" height=\"\(c(height))\" role=\"img\" aria-label=\"\(Markup.attribute(title))\">"
        out += "<title>\(Markup.text(title))</title>"
        guard let xs = Axis.range(all.map(\.x)), let ys = Axis.range(all.map(\.y)) else {
            out += "<text x=\"\(c(width / 2))\" y=\"\(c(height / 2))\" text-anchor=\"middle\" class=\"muted\">no logged steps</text></svg>"
            return out
        }
        let xAxis = Axis(lower: xs.lower, upper: xs.upper, targetTicks: 6, padToZero: true)
        let yAxis = Axis(lower: ys.lower, upper: ys.upper, targetTicks: 5, padToZero: false)
        func px(_ x: Double) -> Double { margin.left + xAxis.fraction(x) * plotW }
        func py(_ y: Double) -> Double { margin.top + (1 - yAxis.fraction(y)) * plotH }

        // Grid and tick labels.
        out += "<g class=\"grid\">"
        for t in yAxis.ticks {
            out += "<line x1=\"\(c(margin.left))\" x2=\"\(c(margin.left + plotW))\" y1=\"\(c(py(t)))\" y2=\"\(c(py(t)))\"/>"
        }
        for t in xAxis.ticks {
            out += "<line x1=\"\(c(px(t)))\" x2=\"\(c(px(t)))\" y1=\"\(c(margin.top))\" y2=\"\(c(margin.top + plotH))\"/>"
        }
        out += "</g><g class=\"axis\">"
        out += "<line x1=\"\(c(margin.left))\" x2=\"\(c(margin.left + plotW))\" y1=\"\(c(margin.top + plotH))\" y2=\"\(c(margin.top + plotH))\"/>"
        out += "<line x1=\"\(c(margin.left))\" x2=\"\(c(margin.left))\" y1=\"\(c(margin.top))\" y2=\"\(c(margin.top + plotH))\"/>"
        for t in yAxis.ticks {
            out += "<text x=\"\(c(margin.left - 6))\" y=\"\(c(py(t) + 4))\" text-anchor=\"end\">\(Units.tick(t, spacing: yAxis.spacing))</text>"
        }
        for t in xAxis.ticks {
            out += "<text x=\"\(c(px(t)))\" y=\"\(c(margin.top + plotH + 16))\" text-anchor=\"middle\">\(Units.tick(t, spacing: xAxis.spacing))</text>"
        }
        out += "<text class=\"label\" x=\"\(c(margin.left + plotW / 2))\" y=\"\(c(height - 6))\" text-anchor=\"middle\">\(Markup.text(xLabel))</text>"
        out += "<text class=\"label\" transform=\"translate(14 \(c(margin.top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">\(Markup.text(yLabel))</text>"
        out += "</g>"

        // Series.
        for s in series {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !pts.isEmpty else { continue }
            out += "<g class=\"series\"><title>\(Markup.text(s.name))</title>"
            if pts.count > 1 {
                let list = pts.map { "\(c(px($0.x))),\(c(py($0.y)))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"\(list)\"/>"
            }
            if s.markers || pts.count == 1 {
                for p in pts {
                    out += "<circle cx=\"\(c(px(p.x)))\" cy=\"\(c(py(p.y)))\" r=\"3.5\" fill=\"#fff\" stroke=\"\(s.color)\" stroke-width=\"2\">"
                        + "<title>\(Markup.text(s.name)) at step \(Int(p.x)): \(Units.metric(p.y))</title></circle>"
                }
            }
            out += "</g>"
        }

        // Legend, top right, above the plot area.
        var x = width - margin.right
        var legend = ""
        for s in series.reversed() where !s.points.isEmpty {
            let textWidth = Double(s.name.count) * 7 + 4
            x -= textWidth
            legend += "<text x=\"\(c(x))\" y=\"17\">\(Markup.text(s.name))</text>"
            x -= 22
            legend += "<line x1=\"\(c(x))\" x2=\"\(c(x + 16))\" y1=\"13\" y2=\"13\" stroke=\"\(s.color)\" stroke-width=\"3\"/>"
            x -= 14
        }
        out += "<g class=\"legend\">\(legend)</g></svg>"
        return out
    }
}

/// A linear axis with "nice" tick spacing (1, 2, 2.5 or 5 × 10ⁿ; Heckbert, Graphics Gems 1990).
struct Axis {
    let lower: Double
    let upper: Double
    let spacing: Double

    init(lower: Double, upper: Double, targetTicks: Int, padToZero: Bool) {
        var lo = lower, hi = upper
        if padToZero, lo > 0, lo < hi * 0.5 { lo = 0 }
        if hi - lo < 1e-12 { let pad = max(abs(hi) * 0.05, 0.5); lo -= pad; hi += pad }
        let step = Axis.nice((hi - lo) / Double(max(1, targetTicks - 1)))
        spacing = step
        self.lower = (lo / step).rounded(.down) * step
        self.upper = (hi / step).rounded(.up) * step
    }

    /// Where `v` falls between the axis ends, 0…1.
    func fraction(_ v: Double) -> Double { (v - lower) / (upper - lower) }

    var ticks: [Double] {
        let count = Int(((upper - lower) / spacing).rounded())
        // Multiplying (not accumulating) keeps 0.1 + 0.2 drift out of the labels.
        return (0...count).map { lower + Double($0) * spacing }
    }

    static func nice(_ raw: Double) -> Double {
        let exponent = (log10(raw)).rounded(.down)
        let base = pow(10, exponent)
        let f = raw / base
        // Rounded (not ceiled) to the nearest nice multiple: about `targetTicks` ticks, never far fewer.
        let m: Double = f < 1.5 ? 1 : f < 2.25 ? 2 : f < 3.5 ? 2.5 : f < 7.5 ? 5 : 10
        return m * base
    }

    static func range(_ values: [Double]) -> (lower: Double, upper: Double)? {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return nil }
        return (lo, hi)
    }
}
