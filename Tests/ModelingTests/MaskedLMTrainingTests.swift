import Compute
import Foundation
@testable import Modeling
import Testing
import TestSupport

/// Masked-LM training through the shared trainer: the `TokenBatch` path (what `GPTTrainer` runs) equals
/// `maskedLMLoss` (held to transformers in ``MaskedLMTests``) on the same masks, masks come from the run's
/// seed so a resumed run ends on the same bits, fixed evaluation masks are reproducible, and a
/// `BertModel` gets BertForMaskedLM's head initialised as transformers does.
@Suite struct MaskedLMTrainingTests {
    /// A tiny random BERT: V = 40, C = 8, 2 layers, 12 positions; ids 0 [PAD], 1 [MASK], 2 [CLS], 3 [SEP].
    static func config(maskedLMHead: Bool = true) -> GPTConfig {
        var c = GPTConfig(family: .bert, modelType: "bert", vocabSize: 40, nPositions: 12, nEmbd: 8, nLayer: 2, nHead: 2, nKVHead: 2,
                          headDim: nil, intermediateSize: 12, layerNormEpsilon: 1e-12, initializerRange: 0.3,
                          qkvBias: true, outputBias: true, mlpBias: true, tiedEmbeddings: true)
        c.typeVocabSize = 2
        c.maskedLMHead = maskedLMHead
        return c
    }

    static let special: Set<Int32> = [0, 2, 3]

    /// `count` windows `[CLS] w… [SEP]` of 4 ... 10 ids from a seeded generator.
    static func windows(_ count: Int, seed: UInt64) -> [[Int32]] {
        var g = SeededGenerator(seed: seed)
        return (0..<count).map { _ in
            let n = 2 + Int(g.next() % 7)
            return [2] + (0..<n).map { _ in Int32(4 + g.next() % 36) } + [3]
        }
    }

    @Test("The trainer's masked-LM path on a TokenBatch equals maskedLMLoss on the same masks: loss and every gradient")
    func tokenBatchPathEqualsEncoderPath() throws {
        let model = try GPTModel(config: Self.config(), seed: 5)
        let windows = [[2, 7, 9, 11, 3], [2, 5, 6, 8, 10, 12, 13, 3]].map { $0.map(Int32.init) }
        let data = try TrainingData.maskedLM(windows: windows, sequenceLength: 10, vocabSize: 40, special: Self.special)
        var batch = TokenBatch(batchSize: 2, sequenceLength: 10)
        let settings = MaskedLMSettings(probability: 0.5, maskId: 1, vocabSize: 40)
        for r in 0..<2 {
            data.fill(&batch, slot: r, row: r)
            #expect((0..<10).allSatisfy { p in
                let k = r * 10 + p
                return batch.targets[k] == (p < windows[r].count && !Self.special.contains(windows[r][p]) ? windows[r][p] : -1)
            }, "candidates are the real non-special positions, predicting their own id")
            var g = MaskedLMMasking.generator(seed: 9, step: 0, row: r)
            MaskedLMMasking.mask(&batch, slot: r, settings: settings, generator: &g)
        }
        let m = batch.weights.filter { $0 != 0 }.count
        try #require(m > 0 && m < 9, "some but not all of the 9 candidates chosen (\(m))")
        #expect(batch.tokens.contains(1), "a chosen input became [MASK]")
        for i in batch.weights.indices where batch.weights[i] != 0 { batch.weights[i] = 1 / Float(m) }
        model.zeroGradients()
        let loss = model.forward(batch)
        model.backward(batch)
        let viaTrainer = model.gradientValues()

        var encoder = EncoderBatch(rows: windows.map { (ids: $0.map(Int.init), typeIds: []) }, padId: 0, sequenceLength: 10)
        encoder.tokens = batch.tokens
        model.zeroGradients()
        let reference = model.maskedLMLoss(encoder, targets: batch.targets, forBackward: true)
        model.maskedLMBackward(encoder)
        #expect(abs(loss - reference) <= 1e-6 * max(1, abs(reference)), "loss \(loss) vs \(reference)")
        let mismatch = NumericChecks.mismatch(viaTrainer, model.gradientValues().map(Double.init), atol: 1e-7, rtol: 1e-5, label: "gradients")
        #expect(mismatch == nil, "\(mismatch ?? "")")
        #expect(viaTrainer.contains { $0 != 0 }, "the gradient is not zero")
        // per-position losses for evaluation: −log p at the chosen positions, 0 elsewhere, mean = the loss
        model.withPositionLosses { l in
            let chosen = batch.weights.indices.filter { batch.weights[$0] != 0 }
            #expect(batch.weights.indices.allSatisfy { batch.weights[$0] != 0 || l[$0] == 0 })
            #expect(abs(chosen.map { Double(l[$0]) }.reduce(0, +) / Double(m) - Double(loss)) <= 1e-5)
        }
    }

    func trainer(_ model: GPTModel, data: TrainingData, steps: Int) throws -> GPTTrainer {
        var hp = TrainingHyperparameters.fixture(learningRate: 3e-4)
        hp.learningRate = 1e-2
        hp.microBatchSize = 2
        hp.gradientAccumulationSteps = 2
        hp.maxSteps = steps
        hp.seed = 4
        return try GPTTrainer(model: model, data: data, hyperparameters: hp, workers: 1,
                              maskedLM: MaskedLMSettings(probability: 0.3, maskId: 1, vocabSize: 40))
    }

    @Test("Masked-LM training learns, draws its masks from the run's seed, and a run resumed from a checkpoint ends on the same bits")
    func resumesBitwise() throws {
        let data = try TrainingData.maskedLM(windows: Self.windows(12, seed: 1), sequenceLength: 10, vocabSize: 40, special: Self.special)
        let straight = try GPTModel(config: Self.config(), seed: 7)
        var losses: [Float] = []
        try trainer(straight, data: data, steps: 8).train { losses.append($0.loss); return .proceed }
        #expect(losses.count == 8 && losses.allSatisfy(\.isFinite))

        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try GPTModel(config: Self.config(), seed: 7)
        let half = try trainer(first, data: data, steps: 8)
        half.train { $0.step < 3 ? .proceed : .stop }
        try half.saveCheckpoint(to: dir.appendingPathComponent("ckpt"))
        let resumed = try GPTModel(config: Self.config(), seed: 7)
        let rest = try trainer(resumed, data: data, steps: 8)
        try rest.loadCheckpoint(from: dir.appendingPathComponent("ckpt"))
        rest.train()
        #expect(resumed.parameterValues() == straight.parameterValues(), "resumed run differs from the straight one")
        // another seed draws other masks, so other weights
        let other = try GPTModel(config: Self.config(), seed: 7)
        var hp = try trainer(other, data: data, steps: 8).hyperparameters
        hp.seed = 5
        try GPTTrainer(model: other, data: data, hyperparameters: hp, workers: 1,
                       maskedLM: MaskedLMSettings(probability: 0.3, maskId: 1, vocabSize: 40)).train()
        #expect(other.parameterValues() != straight.parameterValues())
    }

    @Test("The trainer refuses masking settings without the masked-LM head, and the head without masking settings")
    func trainerChecksPairing() throws {
        let data = try TrainingData.maskedLM(windows: Self.windows(4, seed: 2), sequenceLength: 10, vocabSize: 40, special: Self.special)
        var hp = TrainingHyperparameters.fixture(learningRate: 3e-4)
        hp.microBatchSize = 2
        let plain = try GPTModel(config: Self.config(maskedLMHead: false).withLabels(2), seed: 1)
        #expect(throws: ModelingError.self) {
            _ = try GPTTrainer(model: plain, data: data, hyperparameters: hp, maskedLM: MaskedLMSettings(probability: 0.15, maskId: 1, vocabSize: 40))
        }
        let mlm = try GPTModel(config: Self.config(), seed: 1)
        #expect(throws: ModelingError.self) { _ = try GPTTrainer(model: mlm, data: data, hyperparameters: hp) }
        #expect(throws: ModelingError.self) {
            _ = try GPTTrainer(model: mlm, data: data, hyperparameters: hp, maskedLM: MaskedLMSettings(probability: 1, maskId: 1, vocabSize: 40))
        }
    }

    /// 60 rows × 198 candidates: ≈ 15 % chosen, 80 % of them [MASK]; the same seed gives the same data.
    @Test("Fixed evaluation masks choose about 15% of the candidates, keep the original ids as targets, and repeat exactly")
    func fixedMasks() throws {
        var g = SeededGenerator(seed: 3)
        let windows = (0..<60).map { _ in [Int32(2)] + (0..<198).map { _ in Int32(4 + g.next() % 36) } + [3] }
        let data = try TrainingData.maskedLM(windows: windows, sequenceLength: 200, vocabSize: 40, special: Self.special)
        let settings = MaskedLMSettings(probability: 0.15, maskId: 1, vocabSize: 40)
        let fixed = data.withFixedMasks(settings, seed: 11)
        #expect(fixed == data.withFixedMasks(settings, seed: 11))
        #expect(fixed != data.withFixedMasks(settings, seed: 12))
        let share = Double(fixed.targetCount) / Double(data.targetCount)
        #expect(abs(share - 0.15) < 0.01, "share \(share)")
        var batch = TokenBatch(batchSize: 1, sequenceLength: 200)
        var masked = 0, chosen = 0
        for r in 0..<fixed.rowCount {
            fixed.fill(&batch, slot: 0, row: r)
            for p in 0..<200 where batch.weights[p] != 0 {
                chosen += 1
                #expect(batch.targets[p] == windows[r][p], "the target is the original id")
                if batch.tokens[p] == 1 { masked += 1 }
            }
        }
        #expect(abs(Double(masked) / Double(chosen) - 0.8) < 0.03)
    }

    @Test("A BertModel gets BertForMaskedLM's head as transformers initialises it; the encoder is copied and the pooler dropped")
    func headInitialisation() throws {
        let base = try GPTModel(config: Self.config(maskedLMHead: false), seed: 2)
        let model = try base.withMaskedLMHead(seed: 3)
        #expect(model.config.maskedLMHead && model.layout.info("pooler.dense.weight") == nil)
        let values = model.parameterValues(), source = base.parameterValues()
        for p in model.layout.parameters {
            let v = Array(values[p.offset..<(p.offset + p.count)])
            if let q = base.layout.info(p.name) {
                #expect(v == Array(source[q.offset..<(q.offset + q.count)]), "\(p.name) copied")
            } else if p.name == "cls.predictions.transform.LayerNorm.weight" {
                #expect(v.allSatisfy { $0 == 1 })
            } else if p.name == "cls.predictions.transform.dense.weight" {
                let std = (v.map { Double($0 * $0) }.reduce(0, +) / Double(v.count)).squareRoot()
                #expect(abs(std - 0.3) < 0.1, "std \(std)")
            } else {
                #expect(v.allSatisfy { $0 == 0 }, "\(p.name) is a bias: 0")
            }
        }
        // and back to a classifier: a pooler is drawn, the masked-LM head dropped
        let classifier = try model.withClassificationHead(numLabels: 2, seed: 4)
        #expect(!classifier.config.maskedLMHead && classifier.layout.info("pooler.dense.weight") != nil)
        #expect(classifier.layout.info("cls.predictions.bias") == nil)
    }
}

extension GPTConfig {
    func withLabels(_ n: Int) -> GPTConfig { var c = self; c.numLabels = n; return c }
}
