import Testing
@testable import Reporting

/// The report marks a winner only when one model is strictly best: equal values (e.g. every transferred
/// classifier at the majority baseline) are not starred or bolded.
@Suite struct TieMarkingTests {
    @Test("Tables bold a strictly best value only, never a tie")
    func tablesBoldOnlyAStrictBest() {
        #expect(MetricStyle.best([0.5, 0.5, 0.5], lowerIsBetter: false) == nil)
        #expect(MetricStyle.best([0.7, 0.7, 0.5], lowerIsBetter: false) == nil)
        #expect(MetricStyle.best([0.7, 0.9, 0.5], lowerIsBetter: false) == 1)
        #expect(MetricStyle.best([2.0, 1.0, nil], lowerIsBetter: true) == 1)
    }

    @Test("Bar charts star a strictly best bar only, never a tie")
    func chartsStarOnlyAStrictBest() {
        func chart(_ values: [Double]) -> String {
            BarChart(title: "accuracy", bars: values.enumerated().map { .init(label: "m\($0)", value: $1, color: "#000") },
                     lowerIsBetter: false).svg()
        }
        #expect(!chart([0.5, 0.5, 0.5]).contains("★"))
        #expect(!chart([0.7, 0.7, 0.5]).contains("★"))
        #expect(chart([0.7, 0.9, 0.5]).filter { $0 == "★" }.count == 1)
    }
}
