import Compute
import Foundation
@testable import Modeling
import Testing

@Suite struct DataAndInferenceTests {
    @Test func packingKeepsDocumentsApartAndMasksPrompts() throws {
        let data = try TrainingData.packed(documents: [[1, 2, 3], [4, 5], [6, 7, 8, 9, 10, 11, 12]],
                                           lossMasks: [[0, 1, 1], [1, 1], [1, 1, 1, 1, 1, 1, 1]], sequenceLength: 5, vocabSize: 16)
        // row 0: doc0 + doc1 + pad; the 7-token doc is split into windows of stride 5
        #expect(data.rowCount == 3)
        #expect(Array(data.tokens[0..<6]) == [1, 2, 3, 4, 5, 0])
        #expect(Array(data.segments[0..<6]) == [0, 0, 0, 1, 1, -1])
        // targets: 1→2 (label), 2→3 (label), 3→4 crosses documents, 4→5 ok, 5→pad none
        // + row 1: 5 targets, row 2: the last window [11, 12] has 1
        #expect(data.targetCount == 3 + 5 + 1)
    }

    @Test func contiguousWindowsSeeEveryTransitionOnce() throws {
        let tokens = Fixtures.corpus(length: 21, vocab: 16)
        let data = try TrainingData.contiguous(tokens: tokens, documentStarts: [10], sequenceLength: 5, vocabSize: 16)
        #expect(data.rowCount == 4)
        #expect(data.targetCount == 20 - 1)  // 20 transitions, one crosses the document start
    }

    @Test("An inference forward keeps one layer's activations and gives the training forward's loss bits",
          arguments: [Fixtures.tiny, Fixtures.tinyLlama])
    func inferenceSharesOneLayerOfActivations(_ base: GPTConfig) throws {
        var config = base
        config.nLayer = 4
        let batch = Fixtures.packedBatch()
        let inference = try GPTModel(config: config, seed: 3)
        let scored = inference.forward(batch, forBackward: false)
        let training = try GPTModel(config: config, seed: 3)
        let reference = training.forward(batch)
        #expect(scored == reference)
        let shared = try #require(inference.activations), perLayer = try #require(training.activations)
        #expect(!shared.forBackward && perLayer.forBackward)
        // four layers' buffers against one; the logits, embeddings and final norm are the same in both
        #expect(shared.floatCount < perLayer.floatCount / 2, "\(shared.floatCount) against \(perLayer.floatCount) floats")
        // a training arena serves inference as it is, and backward still follows a training forward
        _ = training.forward(batch, forBackward: false)
        #expect(training.activations === perLayer)
        #expect(training.forward(batch) == reference)
        training.backward(batch)
    }

    @Test func kvCachedGreedyGenerationEqualsFullRecompute() throws {
        let config = GPTConfig(vocabSize: 13, nPositions: 12, nEmbd: 8, nLayer: 2, nHead: 2, initializerRange: 0.5)
        let m = try GPTModel(config: config, seed: 11)
        let prompt: [Int32] = [3, 1, 4, 1]
        let cached = try m.generate(prompt: prompt, options: GenerationOptions(maxNewTokens: 6))
        var seq = prompt
        for _ in 0..<6 {
            let b = TokenBatch(tokens: seq, batchSize: 1, sequenceLength: seq.count)
            let next = m.logits(b) { l -> Int32 in
                let row = l.baseAddress! + (seq.count - 1) * 13
                var best = 0
                for j in 1..<13 where row[j] > row[best] { best = j }
                return Int32(best)
            }
            seq.append(next)
        }
        #expect(cached == Array(seq.dropFirst(4)))
        #expect(Set(cached).count > 1, "a degenerate model would make this test vacuous")
    }

    @Test("a prompt prefilled in chunks of rows gives the full forward's next-token logits, with and without adapters")
    func chunkedPrefillEqualsTheFullForward() throws {
        let gpt2 = GPTConfig(vocabSize: 13, nPositions: 160, nEmbd: 8, nLayer: 2, nHead: 2, initializerRange: 0.5)
        var llama = Fixtures.tinyLlama
        llama.nPositions = 160
        let adapted = try LoRATests.adapted(LlamaLoRATests.allLinear, config: llama)
        for m in [try GPTModel(config: gpt2, seed: 5), adapted] {
            // 150 tokens: two full chunks of 64 rows and a partial one, then one more decoded token.
            let prompt: [Int32] = (0..<150).map { (i: Int) -> Int32 in Int32((i * 7 + i / 5) % 13) }
            let cache = KVCache(config: m.config, capacity: 152)
            #expect(cache.rows == 64)
            let prefilled = Array(UnsafeBufferPointer(start: m.decode(cache, tokens: prompt), count: 13))
            let next = Array(UnsafeBufferPointer(start: m.decodeStep(cache, token: 4), count: 13))
            let cases: [([Int32], [Float])] = [(prompt, prefilled), (prompt + [4], next)]
            for (tokens, cached) in cases {
                let batch = TokenBatch(tokens: tokens, batchSize: 1, sequenceLength: tokens.count)
                let last = (tokens.count - 1) * 13
                let full: [Float] = m.logits(batch) { Array($0[last..<(last + 13)]) }
                var worst: Float = 0
                for j in 0..<13 { worst = max(worst, abs(full[j] - cached[j])) }
                #expect(worst < 1e-4, "largest difference \(worst)")
            }
            #expect(cache.length == 151)
        }
    }

    @Test func samplingIsSeededAndRespectsTopKAndStopTokens() throws {
        let m = try GPTModel(config: Fixtures.tiny, seed: 4)
        let opts = GenerationOptions(maxNewTokens: 5, temperature: 1, topK: 3, seed: 9)
        #expect(try m.generate(prompt: [1], options: opts) == m.generate(prompt: [1], options: opts))
        let logits: [Float] = [0, 5, 4, 3, -1]
        var rng = SeededGenerator(seed: 1)
        for _ in 0..<50 {
            let k = logits.withUnsafeBufferPointer { Sampling.pick(logits: $0, options: GenerationOptions(maxNewTokens: 1, temperature: 2, topK: 2), rng: &rng) }
            #expect(k == 1 || k == 2)
            let p = logits.withUnsafeBufferPointer { Sampling.pick(logits: $0, options: GenerationOptions(maxNewTokens: 1, temperature: 1, topP: 0.5), rng: &rng) }
            #expect(p == 1)
        }
        let greedyFirst = try m.generate(prompt: [1], options: GenerationOptions(maxNewTokens: 1))[0]
        let stopped = try m.generate(prompt: [1], options: GenerationOptions(maxNewTokens: 5, stopTokens: [greedyFirst]))
        #expect(stopped == [greedyFirst])
    }

    @Test func continuationScoreMatchesTheForwardLoss() throws {
        let m = try GPTModel(config: Fixtures.tiny, seed: 6)
        let s = try m.logLikelihood(context: [1, 2, 3], continuation: [4, 5])
        let b = TokenBatch(tokens: [1, 2, 3, 4], targets: [-1, -1, 4, 5], batchSize: 1, sequenceLength: 4)
        let meanLoss = m.forward(b)
        #expect(abs(s.logLikelihood + 2 * Double(meanLoss)) < 1e-5)
        #expect(s.tokenCount == 2)
        #expect(s.logLikelihood < 0)
    }

    @Test func evaluationAveragesEveryTargetOnce() throws {
        let m = try GPTModel(config: Fixtures.tiny, seed: 6)
        let data = try TrainingData.contiguous(tokens: Fixtures.corpus(length: 30, vocab: 13), sequenceLength: 8, vocabSize: 13)
        let r3 = try m.evaluate(data, batchSize: 3), r1 = try m.evaluate(data, batchSize: 1)
        #expect(r3.targetTokens == 29)
        #expect(abs(r3.meanLoss - r1.meanLoss) < 1e-6)
        #expect(abs(r3.meanLoss - log(13)) < 0.1, "an untrained model is near uniform")
        #expect(abs(r3.perplexity - exp(r3.meanLoss)) < 1e-9)
    }
}
