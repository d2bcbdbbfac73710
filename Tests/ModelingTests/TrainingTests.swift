import Foundation
import Modeling
import Testing

@Suite struct TrainingTests {
    static let config = GPTConfig(vocabSize: 16, nPositions: 8, nEmbd: 16, nLayer: 1, nHead: 2)

    func trainer(steps: Int, seed: UInt64 = 1, accumulation: Int = 1, batch: Int = 4, workers: Int? = nil,
                 freezing: Freezing = .none) throws -> GPTTrainer {
        let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 120, vocab: 16), sequenceLength: 8, vocabSize: 16)
        var hp = TrainingHyperparameters.fixture()
        hp.learningRate = 1e-2; hp.maxSteps = steps; hp.microBatchSize = batch; hp.gradientAccumulationSteps = accumulation
        hp.warmupSteps = 3; hp.weightDecay = 0.01; hp.seed = seed
        return try GPTTrainer(model: try GPTModel(config: Self.config, seed: seed), data: data, hyperparameters: hp,
                              freezing: freezing, workers: workers)
    }

    /// Workers split each micro-batch's rows (3 rows: 1 and 2; 4 rows over 3 workers: 1, 1, 2) and add
    /// their gradients; only the summation order differs from one worker.
    @Test(arguments: [(2, 3, 1), (2, 4, 2), (3, 4, 1)])
    func dataParallelStepsMatchOneWorker(workers: Int, batch: Int, accumulation: Int) throws {
        let one = try trainer(steps: 4, accumulation: accumulation, batch: batch, workers: 1)
        let many = try trainer(steps: 4, accumulation: accumulation, batch: batch, workers: workers)
        let a = one.train()!, b = many.train()!
        #expect(abs(a.loss - b.loss) <= 1e-5 * abs(a.loss), "loss \(a.loss) vs \(b.loss)")
        let pa = one.model.parameterValues(), pb = many.model.parameterValues()
        let worst = zip(pa, pb).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5, "largest parameter difference \(worst)")
        #expect(pa != pb || workers == 1, "the worker path must have run (sums in another order)")
    }

    @Test func dataParallelTrainingIsBitwiseReproducibleAndKeepsFrozenTensorsFixed() throws {
        let freezing = Freezing(frozenLayers: [0])
        let a = try trainer(steps: 3, workers: 2, freezing: freezing), b = try trainer(steps: 3, workers: 2, freezing: freezing)
        let before = a.model.parameterValues()
        a.train(); b.train()
        #expect(a.model.parameterValues() == b.model.parameterValues())
        let layer0 = a.model.layout.parameters.filter { $0.name.hasPrefix("transformer.h.0.") }
        #expect(!layer0.isEmpty)
        let after = a.model.parameterValues()
        for p in layer0 { #expect(after[p.offset..<(p.offset + p.count)] == before[p.offset..<(p.offset + p.count)], "\(p.name) moved") }
        #expect(after != before)
    }

    @Test func aTinyModelOverfitsATinyCorpus() throws {
        let t = try trainer(steps: 150)
        var first: Float?
        let last = t.train { r in
            if first == nil { first = r.loss }
            return .proceed
        }
        #expect(first! > 2)
        #expect(last!.loss < 0.2, "final loss \(last!.loss)")
        #expect(last!.step == 150)
    }

    @Test func twoIdenticalRunsGiveIdenticalBits() throws {
        let a = try trainer(steps: 5), b = try trainer(steps: 5)
        let la = a.train(), lb = b.train()
        #expect(la == lb || la!.loss == lb!.loss)
        #expect(a.model.parameterValues() == b.model.parameterValues())
        let c = try trainer(steps: 5, seed: 2)
        c.train()
        #expect(c.model.parameterValues() != a.model.parameterValues())
    }

    @Test func resumingFromACheckpointEqualsAnUninterruptedRun() throws {
        let full = try trainer(steps: 6)
        full.train()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try trainer(steps: 6)
        first.train { r in r.step == 3 ? .stop : .proceed }
        try first.saveCheckpoint(to: dir)
        let resumed = try trainer(steps: 6)
        try resumed.loadCheckpoint(from: dir)
        #expect(resumed.step == 3)
        resumed.train()
        #expect(resumed.step == 6)
        #expect(resumed.model.parameterValues() == full.model.parameterValues())
        #expect(resumed.sampler.cursor == full.sampler.cursor)
    }

    @Test func aCheckpointForAnotherModelIsRejectedWithItsPath() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-ckpt-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try trainer(steps: 1).saveCheckpoint(to: dir)
        let other = try trainer(steps: 2)
        #expect(throws: ModelingError.self) { try other.loadCheckpoint(from: dir) }
        #expect(throws: ModelingError.self) { try other.loadCheckpoint(from: dir.appendingPathComponent("nope")) }
    }

    @Test func accumulationEqualsOneLargerBatch() throws {
        func grads(batch: Int, accumulation: Int) throws -> [Float] {
            let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 40, vocab: 16), sequenceLength: 8, vocabSize: 16)
            var hp = TrainingHyperparameters.fixture()
            hp.shuffle = false; hp.microBatchSize = batch; hp.gradientAccumulationSteps = accumulation; hp.maxSteps = 1
            hp.learningRate = 1e-3  // the gradients read are the step's, taken before the update
            let t = try GPTTrainer(model: try GPTModel(config: Self.config, seed: 5), data: data, hyperparameters: hp)
            _ = t.trainStep()
            return t.model.gradientValues()
        }
        let a = try grads(batch: 4, accumulation: 1), b = try grads(batch: 2, accumulation: 2)
        let worst = zip(a, b).map { abs($0 - $1) }.max()!
        #expect(worst < 1e-6, "largest difference \(worst)")
    }

    @Test func frozenParametersDoNotMoveAndHaveNoOptimizerState() throws {
        let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 60, vocab: 16), sequenceLength: 8, vocabSize: 16)
        var hp = TrainingHyperparameters.fixture(); hp.maxSteps = 3; hp.learningRate = 1e-2
        let m = try GPTModel(config: Self.config, seed: 2)
        let before = m.parameterValues()
        let t = try GPTTrainer(model: m, data: data, hyperparameters: hp, freezing: Freezing(unfrozenParameters: ["transformer.h.0.mlp"]))
        t.train()
        let after = m.parameterValues()
        var trainable = 0
        for p in m.layout.parameters {
            let moved = before[p.offset..<(p.offset + p.count)] != after[p.offset..<(p.offset + p.count)]
            #expect(moved == p.name.hasPrefix("transformer.h.0.mlp"), "\(p.name)")
            if p.name.hasPrefix("transformer.h.0.mlp") { trainable += p.count }
        }
        #expect(t.trainableParameterCount == trainable)
    }

    @Test func badSettingsAreReportedNotTrapped() throws {
        let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 30, vocab: 16), sequenceLength: 8, vocabSize: 16)
        var hp = TrainingHyperparameters.fixture(); hp.microBatchSize = 0
        #expect(throws: ModelingError.self) { try GPTTrainer(model: try GPTModel(config: Self.config), data: data, hyperparameters: hp) }
        let long = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 30, vocab: 16), sequenceLength: 9, vocabSize: 16)
        #expect(throws: ModelingError.self) { try GPTTrainer(model: try GPTModel(config: Self.config), data: long, hyperparameters: TrainingHyperparameters.fixture()) }
        #expect(throws: ModelingError.self) { try TrainingData.contiguous(tokens: [1, 99], sequenceLength: 4, vocabSize: 16) }
    }

    @Test("the engine refuses what the recipe's key table refuses: learning_rate 0 and a negative weight_decay")
    func engineBoundsMatchTheRecipe() throws {
        let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 30, vocab: 16), sequenceLength: 8, vocabSize: 16)
        for change in [{ (hp: inout TrainingHyperparameters) in hp.learningRate = 0 }, { $0.weightDecay = -0.1 }] {
            var hp = TrainingHyperparameters.fixture()
            change(&hp)
            #expect(throws: ModelingError.self) { try GPTTrainer(model: try GPTModel(config: Self.config), data: data, hyperparameters: hp) }
        }
        #expect(throws: Never.self) {
            try GPTTrainer(model: try GPTModel(config: Self.config), data: data, hyperparameters: .fixture(learningRate: 1e-9))
        }
    }
}
