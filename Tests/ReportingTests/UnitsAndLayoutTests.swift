import Foundation
@testable import Reporting
import Testing

@Suite struct UnitsTests {
    @Test(arguments: [
        (0.0, "0"), (940.0, "940"), (8_300.0, "8.3 K"), (940_800.0, "941 K"), (1_234_567.0, "1.23 M"), (3.4e9, "3.4 G"),
    ])
    func countsUseMetricSuffixes(value: Double, text: String) {
        #expect(Units.count(value) == text)
    }

    @Test(arguments: [(950.0, "950 FLOP"), (2.55e8, "255 MFLOP"), (3.4e9, "3.4 GFLOP"), (1.734e12, "1.73 TFLOP"), (2.1e15, "2.1 PFLOP")])
    func flopsUseMetricPrefixes(value: Double, text: String) {
        #expect(Units.flops(value) == text)
    }

    @Test(arguments: [(0.034, "0.03 s"), (12.34, "12.3 s"), (62.4, "1 min 02 s"), (125.0, "2 min 05 s"), (3725.0, "1 h 02 min")])
    func durationsReadAsClockTime(seconds: Double, text: String) {
        #expect(Units.duration(seconds) == text)
    }

    @Test(arguments: [(36.9, "36.9 MiB"), (210.4, "210 MiB"), (1536.0, "1.5 GiB")])
    func memoryIsInBinaryUnits(mib: Double, text: String) {
        #expect(Units.mebibytes(mib) == text)
    }

    @Test(arguments: [(1.0, "100 %"), (0.395, "39.5 %"), (0.0255, "2.55 %"), (0.0012, "0.12 %")])
    func fractionsArePercentages(fraction: Double, text: String) {
        #expect(Units.percent(fraction) == text)
    }

    @Test(arguments: [(2.31049, "2.310"), (0.42, "0.4200"), (24.53, "24.53"), (150.0, "150.0"), (0.0000123, "1.230e-05")])
    func metricsKeepFourSignificantDigits(value: Double, text: String) {
        #expect(Units.metric(value) == text)
    }
}

@Suite struct ChartGeometryTests {
    @Test func axisTicksAreNiceRoundNumbersCoveringTheData() {
        let axis = Axis(lower: 2.31, upper: 6.8, targetTicks: 5, padToZero: false)
        #expect(axis.spacing == 1)
        #expect(axis.ticks == [2, 3, 4, 5, 6, 7])
        let steps = Axis(lower: 10, upper: 300, targetTicks: 6, padToZero: true)
        #expect(steps.ticks == [0, 50, 100, 150, 200, 250, 300])
        let flat = Axis(lower: 4, upper: 4, targetTicks: 5, padToZero: false)
        #expect(flat.lower < 4 && flat.upper > 4, "a constant series still gets a visible range")
    }

    @Test func tickLabelsAreAsShortAsTheirSpacingAllows() {
        #expect(Units.tick(2.5, spacing: 0.5) == "2.5")
        #expect(Units.tick(3, spacing: 1) == "3")
        #expect(Units.tick(0.25, spacing: 0.05) == "0.25")
        #expect(Units.tick(20_000, spacing: 5000) == "20k")
    }

    /// tok ─ base ─┬─ sft ─┐
    ///             ├─ lora ┼─ eval
    ///             └─ later
    @Test func dagIsLayeredByLongestPathAndKeepsFileOrderWithinALayer() {
        let nodes = Fixtures.report.stages.map {
            DagDiagram.Node(name: $0.name, kind: $0.kind, upstream: $0.upstream, hasResult: true)
        }
        let places = DagDiagram(nodes: nodes).layout()
        #expect(places["tok"]! == (0, 0))
        #expect(places["base"]! == (1, 0))
        #expect(places["sft"]! == (2, 0))
        #expect(places["lora"]! == (2, 1))
        #expect(places["later"]! == (2, 2))
        #expect(places["eval"]! == (3, 0))
    }

    @Test func dagRowsFollowTheirUpstreamsToAvoidCrossings() {
        // a and b fan out; b's child is listed first but must sit below a's child.
        let nodes = [
            DagDiagram.Node(name: "a", kind: "tokenize", upstream: [], hasResult: true),
            DagDiagram.Node(name: "b", kind: "tokenize", upstream: [], hasResult: true),
            DagDiagram.Node(name: "fromB", kind: "instruct", upstream: ["b"], hasResult: true),
            DagDiagram.Node(name: "fromA", kind: "instruct", upstream: ["a"], hasResult: true),
        ]
        let places = DagDiagram(nodes: nodes).layout()
        #expect(places["fromA"]! == (1, 0))
        #expect(places["fromB"]! == (1, 1))
    }

    @Test func sparklineRisesAndFallsWithTheSeries() {
        #expect(Sparkline.render([5, 4, 3, 2, 1]) == "█▆▅▃▁")
        #expect(Sparkline.render([1, 1, 1]) == "▅▅▅")
        #expect(Sparkline.render([]) == "")
        #expect(Sparkline.render((0..<100).map(Double.init), width: 8).count == 8)
    }
}
