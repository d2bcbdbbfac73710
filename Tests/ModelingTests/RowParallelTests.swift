import Compute
import Foundation
@testable import Modeling
import Testing

/// Row-parallel inference (rows split across forward-only replicas) against one model running the
/// whole batch.
@Suite struct RowParallelTests {
    static let config = GPTConfig(vocabSize: 16, nPositions: 8, nEmbd: 16, nLayer: 2, nHead: 2)

    func batch(rows: Int) -> TokenBatch {
        let tokens = Fixtures.corpus(length: rows * 8 + 1, vocab: 16)
        return TokenBatch(tokens: Array(tokens.prefix(rows * 8)), targets: Array(tokens.dropFirst().prefix(rows * 8)),
                          batchSize: rows, sequenceLength: 8)
    }

    @Test(arguments: [2, 3])
    func rowParallelLogitsEqualOneModelsLogits(workers: Int) throws {
        let model = try GPTModel(config: Self.config, seed: 3)
        let b = batch(rows: 5)
        let a = model.runTrunk(b, forBackward: true)
        let reference = Array(UnsafeBufferPointer(start: a.ptr(a.logits), count: a.logits.count))
        let team = [model] + (1..<workers).map { _ in GPTModel(replicaOf: model, gradients: false) }
        let split = model.rowParallelLogits(b, workers: team) { Array($0) }
        #expect(split.count == reference.count)
        let worst = zip(split, reference).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-5, "largest logit difference \(worst)")
    }

    /// Inference passes (`forBackward: false`) share one attention-probability slot across layers and
    /// heads; the loss must be bitwise the training forward's, before and after a training forward.
    @Test func anInferenceForwardGivesTheTrainingForwardsLossBits() throws {
        let model = try GPTModel(config: Self.config, seed: 5)
        let b = batch(rows: 3)
        let inference = model.forward(b, forBackward: false)
        let training = model.forward(b)
        #expect(inference.bitPattern == training.bitPattern)
        #expect(model.forward(b, forBackward: false).bitPattern == training.bitPattern)
    }

    @Test func evaluationGivesTheSameMeanLossWithRowsSplitAcrossWorkers() throws {
        let model = try GPTModel(config: Self.config, seed: 4)
        let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 120, vocab: 16), sequenceLength: 8, vocabSize: 16)
        // reference: one model, forward per batch of 4 rows (as `evaluate` does with one worker)
        var total = 0.0, count = 0
        var b = TokenBatch(batchSize: 4, sequenceLength: 8)
        for start in stride(from: 0, to: data.rowCount, by: 4) {
            for slot in 0..<4 {
                data.fill(&b, slot: slot, row: min(start + slot, data.rowCount - 1))
                if start + slot >= data.rowCount { for p in 0..<8 { b.weights[slot * 8 + p] = 0 } }
            }
            model.forward(b)
            model.withPositionLosses { l in for i in 0..<l.count where b.weights[i] != 0 { total += Double(l[i]); count += 1 } }
        }
        model.inferenceReplicas = [GPTModel(replicaOf: model, gradients: false)]
        let workers = model.inferenceWorkers(rows: 4)
        #expect(workers.count == min(2, ComputeThreads.count), "the split needs two threads; this machine has \(ComputeThreads.count)")
        let result = try model.evaluate(data, batchSize: 4)
        #expect(result.targetTokens == count)
        #expect(abs(result.meanLoss - total / Double(count)) <= 1e-6 * (total / Double(count)))
    }
}
