import Foundation
import Testing
@testable import Modeling

/// Holds Lathe's Llama-family decoder to `transformers` itself: `LlamaFixtures/llama_reference.py` builds
/// seeded tiny random Llama, Qwen2 (q/k/v biases), Mistral (head_dim ≠ C/NH, one KV head), Llama-3 rope
/// scaling and untied-head models with every weight randomised, saves them with `save_pretrained`, and
/// writes logits, loss, every gradient and a greedy continuation; Lathe loads the same folder.
@Suite(.serialized) struct LlamaParityTests {
    /// Float32 on both sides through 2 blocks: differences are summation order, ~1e-6.
    static let logitTolerance = 1e-4
    static let ids: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]

    struct Reference {
        let logits: [Double]
        let loss: Double
        let greedy: [Int32]
        let grads: [String: [Double]]
    }

    static var script: String {
        HFTestSupport.testsDirectory.appendingPathComponent("LlamaFixtures/llama_reference.py").path
    }

    static func reference(_ arguments: [String], out: URL) throws -> Reference {
        _ = try HFTestSupport.runPython([script] + arguments + [out.path, ids.map(String.init).joined(separator: ",")])
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("reference.json"))) as? [String: Any])
        let raw = try Data(contentsOf: out.appendingPathComponent("logits.f64"))
        let logits = raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        let greedy = try #require(json["greedy"] as? [Int]).map(Int32.init)
        let grads = (json["grads"] as? [String: [Double]]) ?? [:]
        return Reference(logits: logits, loss: try #require(json["loss"] as? Double), greedy: greedy, grads: grads)
    }

    static func batch() -> TokenBatch {
        TokenBatch(tokens: ids, targets: Array(ids.dropFirst()) + [-1], batchSize: 1, sequenceLength: ids.count)
    }

    static func largestDifference(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max() ?? .infinity
    }

    @Test("Logits, loss, every gradient and greedy ids equal transformers' for tiny Llama-family models",
          arguments: ["llama", "qwen2", "mistral", "llama3-rope", "untied"])
    func tinyModelsMatchTransformers(kind: String) throws {
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let expected = try Self.reference(["tiny", kind], out: directory)
        let model = try GPTModel.loadHF(directory: directory)
        #expect(model.config.family == .llama)
        let batch = Self.batch()
        let logits = model.logits(batch) { Array($0) }
        #expect(logits.count == expected.logits.count)
        let worst = Self.largestDifference(logits, expected.logits)
        #expect(worst <= Self.logitTolerance, "\(kind): largest logit difference \(worst)")
        #expect(expected.logits.map(abs).max()! > 0.5)  // the random weights make logits non-trivial

        model.zeroGradients()
        let loss = Double(model.forward(batch))
        model.backward(batch)
        #expect(abs(loss - expected.loss) <= 1e-5 * max(1, abs(expected.loss)), "\(kind): loss \(loss) vs \(expected.loss)")
        let grads = model.gradientValues()
        #expect(expected.grads.count == model.layout.parameters.count, "\(kind): every parameter has a reference gradient")
        for p in model.layout.parameters {
            let reference = try #require(expected.grads[p.name], "no reference gradient for \(p.name)")
            let scale = max(reference.map(abs).max() ?? 0, 1e-6)
            let difference = Self.largestDifference(Array(grads[p.offset..<(p.offset + p.count)]), reference)
            #expect(difference / scale <= 1e-4, "\(kind) \(p.name): gradient differs by \(difference) (max |g| \(scale))")
        }

        let greedy = try model.generate(prompt: Self.ids, options: GenerationOptions(maxNewTokens: 8))
        #expect(greedy == expected.greedy, "\(kind): greedy ids")
    }

    @Test("A Llama-family model survives export and import bit for bit, with the config transformers reads")
    func exportRoundTrips() throws {
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = GPTConfig(family: .llama, modelType: "qwen2", vocabSize: 40, nPositions: 32, nEmbd: 24, nLayer: 2,
                               nHead: 6, nKVHead: 2, headDim: nil, intermediateSize: 40, layerNormEpsilon: 1e-6,
                               bosTokenId: 1, eosTokenId: 2, ropeTheta: 1e6, qkvBias: true, tiedEmbeddings: false)
        let model = try GPTModel(config: config, seed: 3)
        try model.exportHF(to: directory)
        let loaded = try GPTModel.loadHF(directory: directory)
        #expect(loaded.config == config)
        #expect(loaded.parameterValues().map(\.bitPattern) == model.parameterValues().map(\.bitPattern))
    }
}
