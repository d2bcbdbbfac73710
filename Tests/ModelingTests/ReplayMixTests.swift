import Foundation
import Modeling
import Testing

/// Domain adaptation's replay: general rows in every optimizer step, carrying `ratio` of its loss.
@Suite struct ReplayMixTests {
    static let config = GPTConfig(vocabSize: 16, nPositions: 8, nEmbd: 16, nLayer: 1, nHead: 2)

    /// One row of 9 tokens (8 positions, 8 targets) from `start` of the fixture corpus.
    static func row(_ start: Int) throws -> TrainingData {
        try TrainingData.contiguous(tokens: Array(Fixtures.corpus(length: 40, vocab: 16)[start..<(start + 9)]),
                                    sequenceLength: 8, vocabSize: 16)
    }

    static func hyperparameters(batch: Int, accumulation: Int = 1, steps: Int = 1) -> TrainingHyperparameters {
        var hp = TrainingHyperparameters.fixture()
        hp.microBatchSize = batch; hp.gradientAccumulationSteps = accumulation; hp.maxSteps = steps
        hp.maxGradNorm = 0      // no clipping: the gradient buffer keeps the raw step gradient
        hp.learningRate = 1e-2; hp.seed = 3
        return hp
    }

    @Test func everyStepTakesRoundedRatioRowsAtLeastOneAndNeverAll() {
        let replay = ReplayMix(data: try! Self.row(0), ratio: 0.1)
        #expect(replay.rowsPerStep(2) == 1)
        #expect(replay.rowsPerStep(16) == 2)
        #expect(replay.rowsPerStep(64) == 6)
        #expect(ReplayMix(data: try! Self.row(0), ratio: 0.9).rowsPerStep(4) == 3)
    }

    @Test func theStepGradientIsTheRatioWeightedMixOfDomainAndReplayGradients() throws {
        let domain = try Self.row(0), general = try Self.row(20)
        let ratio = 0.25
        let mixed = try GPTTrainer(model: try GPTModel(config: Self.config, seed: 9), data: domain,
                                   hyperparameters: Self.hyperparameters(batch: 2), replay: ReplayMix(data: general, ratio: ratio))
        _ = mixed.trainStep()
        let g = mixed.model.gradientValues()

        func alone(_ data: TrainingData) throws -> [Float] {
            let t = try GPTTrainer(model: try GPTModel(config: Self.config, seed: 9), data: data,
                                   hyperparameters: Self.hyperparameters(batch: 1))
            _ = t.trainStep()
            return t.model.gradientValues()
        }
        let gd = try alone(domain), gr = try alone(general)
        var worst: Float = 0, scale: Float = 0
        for i in g.indices {
            let expected = Float(1 - ratio) * gd[i] + Float(ratio) * gr[i]
            worst = max(worst, abs(g[i] - expected))
            scale = max(scale, abs(expected))
        }
        #expect(scale > 1e-3)
        #expect(worst < 1e-5 * max(1, scale), "largest difference \(worst)")
    }

    @Test func everyOptimizerStepSeesReplayRowsAndTheReplayCursorAdvances() throws {
        let domain = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 120, vocab: 16), sequenceLength: 8, vocabSize: 16)
        let t = try GPTTrainer(model: try GPTModel(config: Self.config, seed: 1), data: domain,
                               hyperparameters: Self.hyperparameters(batch: 4, accumulation: 2, steps: 5),
                               replay: ReplayMix(data: try Self.row(20), ratio: 0.2))
        t.train()
        // 8 rows per step, round(8 × 0.2) = 2 of them replay: 10 replay rows and 30 domain rows in 5 steps
        #expect(t.replaySampler.cursor == 10)
        #expect(t.sampler.cursor == 30)
    }

    @Test func resumingAReplayRunEqualsAnUninterruptedRun() throws {
        let domain = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 120, vocab: 16), sequenceLength: 8, vocabSize: 16)
        let general = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 90, vocab: 16).reversed(), sequenceLength: 8, vocabSize: 16)
        func make() throws -> GPTTrainer {
            try GPTTrainer(model: try GPTModel(config: Self.config, seed: 4), data: domain,
                           hyperparameters: Self.hyperparameters(batch: 4, steps: 6), replay: ReplayMix(data: general, ratio: 0.3))
        }
        let full = try make()
        full.train()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-replay-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try make()
        first.train { r in r.step == 3 ? .stop : .proceed }
        try first.saveCheckpoint(to: dir)
        let resumed = try make()
        try resumed.loadCheckpoint(from: dir)
        resumed.train()
        #expect(resumed.replaySampler.cursor == full.replaySampler.cursor)
        #expect(resumed.model.parameterValues() == full.model.parameterValues())
        // a checkpoint made without replay does not resume a replay run
        let plain = try GPTTrainer(model: try GPTModel(config: Self.config, seed: 4), data: domain,
                                   hyperparameters: Self.hyperparameters(batch: 4, steps: 6))
        #expect(throws: ModelingError.self) { try plain.loadCheckpoint(from: dir) }
    }

    @Test func oneRowPerStepOrABadRatioIsAClearError() throws {
        let domain = try Self.row(0)
        #expect(throws: ModelingError.self) {
            try GPTTrainer(model: try GPTModel(config: Self.config, seed: 1), data: domain,
                           hyperparameters: Self.hyperparameters(batch: 1), replay: ReplayMix(data: domain, ratio: 0.1))
        }
        #expect(throws: ModelingError.self) {
            try GPTTrainer(model: try GPTModel(config: Self.config, seed: 1), data: domain,
                           hyperparameters: Self.hyperparameters(batch: 2), replay: ReplayMix(data: domain, ratio: 1))
        }
    }
}
