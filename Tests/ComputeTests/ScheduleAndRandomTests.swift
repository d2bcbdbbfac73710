import Compute
import Testing

@Suite struct ScheduleAndRandomTests {
    @Test func warmupRisesLinearlyThenCosineDecaysToTheFloor() {
        let s = LearningRateSchedule(kind: .cosine, peak: 1, warmupSteps: 4, totalSteps: 14, minRatio: 0.1)
        #expect(s.learningRate(at: 0) == 0)
        #expect(s.learningRate(at: 2) == 0.5)
        #expect(s.learningRate(at: 4) == 1)
        #expect(abs(s.learningRate(at: 9) - 0.55) < 1e-6)  // half way: 0.1 + 0.9·0.5
        #expect(abs(s.learningRate(at: 14) - 0.1) < 1e-6)
    }

    @Test func linearAndConstantSchedules() {
        let lin = LearningRateSchedule(kind: .linear, peak: 2, warmupSteps: 0, totalSteps: 10)
        #expect(lin.learningRate(at: 0) == 2)
        #expect(abs(lin.learningRate(at: 5) - 1) < 1e-6)
        #expect(lin.learningRate(at: 10) == 0)
        let c = LearningRateSchedule(kind: .constant, peak: 3, warmupSteps: 2, totalSteps: 10)
        #expect(c.learningRate(at: 1) == 1.5)
        #expect(c.learningRate(at: 9) == 3)
    }

    @Test("The linear schedule ends at zero whatever the cosine floor says, as HF's linear schedule does")
    func linearDecayIgnoresTheCosineFloor() {
        let floored = LearningRateSchedule(kind: .linear, peak: 2, warmupSteps: 2, totalSteps: 12, minRatio: 0.5)
        let plain = LearningRateSchedule(kind: .linear, peak: 2, warmupSteps: 2, totalSteps: 12)
        for step in 0...12 { #expect(floored.learningRate(at: step) == plain.learningRate(at: step), "step \(step)") }
        #expect(floored.learningRate(at: 12) == 0)
    }

    @Test func seededGeneratorIsReproducibleAndRestorable() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        let xs = (0..<5).map { _ in a.next() }
        #expect(xs == (0..<5).map { _ in b.next() })
        let saved = a.state
        let next = a.next()
        var c = SeededGenerator(seed: 0)
        c.state = saved
        #expect(c.next() == next)
        #expect(SeededGenerator(seed: 43).state != SeededGenerator(seed: 42).state)
    }

    @Test func gaussianHasUnitVarianceRoughly() {
        var g = SeededGenerator(seed: 7)
        let xs = (0..<20_000).map { _ in g.nextGaussian() }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count)
        #expect(abs(mean) < 0.03)
        #expect(abs(variance - 1) < 0.05)
    }
}
