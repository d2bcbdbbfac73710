import Foundation
import Testing
@testable import Modeling

/// Holds Lathe's engine to an independent GPT-2: `reference_gpt2.py` (numpy, float64, its own safetensors
/// parser; checked once against `transformers.GPT2LMHeadModel` to 2e-7) reads the exported HF directory.
@Suite(.serialized) struct HFReferenceTests {
    /// Float32 engine vs float64 reference on O(1) logits through 2 layers: observed error is ~1e-6;
    /// 1e-4 leaves room for summation-order differences while still catching any layout or math mistake.
    static let tolerance: Double = 1e-4

    static func reference(_ directory: URL, _ ids: [Int32]) throws -> (logits: [[Double]], loss: Double) {
        let script = HFTestSupport.testsDirectory.appendingPathComponent("reference_gpt2.py").path
        let output = try HFTestSupport.runPython([script, directory.path, ids.map(String.init).joined(separator: ",")])
        let json = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let logits = try #require(json["logits"] as? [[Double]])
        let loss = try #require(json["loss"] as? Double)
        return (logits, loss)
    }

    @Test func lathesLogitsAndLossMatchAnIndependentNumpyGPT2() throws {
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try HFTestSupport.randomCheckpoint(seed: 5).makeModel()
        try model.exportHF(to: directory)
        let ids: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        let expected = try Self.reference(directory, ids)

        let targets = Array(ids.dropFirst()) + [-1]  // next-token targets; the last position has none
        let batch = TokenBatch(tokens: ids, targets: targets, batchSize: 1, sequenceLength: ids.count)
        let logits = model.logits(batch) { Array($0) }
        let vocab = model.config.vocabSize
        #expect(logits.count == ids.count * vocab && expected.logits.count == ids.count)
        var worst = 0.0
        for t in 0..<ids.count {
            for v in 0..<vocab { worst = max(worst, abs(Double(logits[t * vocab + v]) - expected.logits[t][v])) }
        }
        #expect(worst <= Self.tolerance, "largest logit difference \(worst)")
        #expect(expected.logits.flatMap { $0 }.map(abs).max()! > 0.5)  // the weights make logits non-trivial
        let loss = Double(model.forward(batch))
        #expect(abs(loss - expected.loss) <= Self.tolerance, "loss \(loss) vs reference \(expected.loss)")
    }

    @Test func lathesLogitsMatchTransformersOnACheckpointItSaved() throws {
        let expected = try HFFixtureTests.expected()
        let model = try GPTModel.loadHF(directory: HFFixtureTests.fixture)
        let ids = expected.ids
        let batch = TokenBatch(tokens: ids, targets: Array(ids.dropFirst()) + [-1], batchSize: 1, sequenceLength: ids.count)
        let logits = model.logits(batch) { Array($0) }
        let worst = zip(logits.map(Double.init), expected.logits.joined()).map { abs($0 - $1) }.max() ?? .infinity
        #expect(logits.count == expected.logits.joined().count)
        #expect(worst <= Self.tolerance, "largest logit difference \(worst)")
        #expect(abs(Double(model.forward(batch)) - expected.loss) <= Self.tolerance)
    }

    @Test func engineModelSurvivesExportAndImportBitwise() throws {
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = GPTConfig(vocabSize: 13, nPositions: 6, nEmbd: 12, nLayer: 2, nHead: 3, eosTokenId: 12)
        let model = try GPTModel(config: config, seed: 9)
        try model.exportHF(to: directory)
        let loaded = try GPTModel.loadHF(directory: directory)
        #expect(loaded.config == config)
        #expect(loaded.parameterValues().map(\.bitPattern) == model.parameterValues().map(\.bitPattern))
    }

    @Test func anMLPWidthOtherThanFourTimesIsRejected() {
        var config = HFTestSupport.tinyConfig
        config.nInner = 16
        #expect(throws: HFCheckpointError.unsupportedConfig(
            file: "config.json", field: "n_inner", value: "16",
            fix: "Lathe's MLP width is 4 × n_embd (32); set n_inner to null.")) {
            try config.gptConfig()
        }
        config.nInner = 32  // explicit 4 × n_embd is fine
        #expect((try? config.gptConfig())?.nEmbd == 8)
    }
}
