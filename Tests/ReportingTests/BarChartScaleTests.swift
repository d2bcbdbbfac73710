import Foundation
import Testing
@testable import Reporting

/// Bar charts switch to a logarithmic axis when positive values span more than 10×, so a perplexity of
/// 3 next to one of 3,000 still shows as a bar; narrower or non-positive spans keep the linear axis.
@Suite struct BarChartScaleTests {
    static func chart(_ values: [Double?]) -> BarChart {
        BarChart(title: "perplexity", bars: values.enumerated().map { .init(label: "m\($0)", value: $1, color: "#000") },
                 lowerIsBetter: true)
    }

    /// The widths of the chart's bars, in order.
    static func widths(_ svg: String) -> [Double] {
        svg.components(separatedBy: "<rect ").dropFirst().compactMap { part in
            guard let r = part.range(of: "width=\"") else { return nil }
            return Double(part[r.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test("Values spanning more than 10x get a log axis from the decade below the smallest to the decade above the largest")
    func wideSpansUseALogAxis() {
        let c = Self.chart([3, 30, 3_000])
        #expect(c.logScale)
        let svg = c.svg()
        #expect(svg.contains("log scale"))
        let (position, origin) = c.axis()
        #expect(origin == 0)
        // decades 10^0 ... 10^4: 3 sits at log10(3)/4, 3,000 at log10(3000)/4
        #expect(abs(position(3) - log10(3) / 4) < 1e-12 && abs(position(3_000) - log10(3_000) / 4) < 1e-12)
        let w = Self.widths(svg)
        #expect(w.count == 3)
        // equal ratios give equal steps: 3 → 30 is one decade, 30 → 3,000 two
        #expect(abs((w[2] - w[1]) - 2 * (w[1] - w[0])) < 0.05, "\(w)")
        #expect(w[0] > 15, "the smallest bar stays visible: \(w)")
    }

    @Test("Spans of at most 10x, zeros and negatives keep the linear axis that starts at zero")
    func narrowSpansStayLinear() {
        #expect(!Self.chart([1, 10]).logScale)
        #expect(!Self.chart([0, 50]).logScale)
        #expect(!Self.chart([-1, 50]).logScale)
        #expect(!Self.chart([0.5, nil]).logScale)
        let c = Self.chart([2, 4])
        #expect(!c.svg().contains("log scale"))
        let w = Self.widths(c.svg())
        #expect(abs(w[1] - 2 * w[0]) < 0.05, "linear bars are proportional: \(w)")
    }
}

/// A model named by its path is labelled in charts by its file or folder name, not by the path's start.
@Suite struct ChartModelLabelTests {
    @Test("A GGUF path shows as its file name without the extension; a stage name stays as it is")
    func pathsShowTheirLastComponent() {
        let chart = BarChart(title: "perplexity", bars: [
            .init(label: "../models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf", value: 3, color: "#000"),
            .init(label: "../models/all-minilm-l6-v2", value: 4, color: "#000"),
            .init(label: "glassvine", value: 2, color: "#000"),
        ], lowerIsBetter: true)
        let svg = chart.svg()
        #expect(svg.contains(">SmolLM2-135M-…<title>../models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf</title>"))
        #expect(svg.contains(">all-minilm-l6…<title>"))
        #expect(svg.contains(">glassvine<title>"))
        #expect(!svg.contains("end\">../models"))
    }
}
