import Foundation
import TestSupport
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

    static func reference(_ arguments: [String], out: URL, ids: [Int32] = ids) throws -> Reference {
        _ = try HFTestSupport.runPython([script] + arguments + [out.path, ids.map(String.init).joined(separator: ",")])
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("reference.json"))) as? [String: Any])
        let raw = try Data(contentsOf: out.appendingPathComponent("logits.f64"))
        let logits = raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        let greedy = try #require(json["greedy"] as? [Int]).map(Int32.init)
        let grads = (json["grads"] as? [String: [Double]]) ?? [:]
        return Reference(logits: logits, loss: try #require(json["loss"] as? Double), greedy: greedy, grads: grads)
    }

    /// "Gardeners prune the glass vines in early spring, before the first buds open." in SmolLM2's
    /// tokenizer: the real model is compared on text, not on arbitrary ids.
    static let textIds: [Int32] = [30347, 20131, 34091, 260, 4433, 25567, 281, 1584, 4921, 28, 1092, 260, 808, 19691, 1440, 30]

    static func batch(_ ids: [Int32] = ids) -> TokenBatch {
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

    /// The real SmolLM2-135M-Instruct that `scripts/fetch-models.sh` fetched (the README's test command runs it).
    static func smolLM2() throws -> URL { try ModelCache.folder(ModelCache.smolLM2) }

    @Test("The real SmolLM2-135M-Instruct gives transformers' logits, loss and greedy ids")
    func realSmolLM2MatchesTransformers() throws {
        let folder = try Self.smolLM2()
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let expected = try Self.reference(["real", folder.path], out: directory, ids: Self.textIds)
        let model = try GPTModel.loadHF(directory: folder)
        #expect(model.config.nLayer == 30 && model.config.nKVHead == 3 && model.config.tiedEmbeddings)
        #expect(model.parameterCount == 134_515_008)
        let batch = Self.batch(Self.textIds)
        let logits = model.logits(batch) { Array($0) }
        // On text, Lathe is within 1e-4 of transformers and as close to the float64 result as transformers
        // is (on arbitrary ids such as repeated <|im_start|>, float32 rounding alone moves logits of ~30 by
        // a few 1e-4 in both engines: transformers in float32 is that far from itself in float64).
        let raw = try Data(contentsOf: directory.appendingPathComponent("logits64.f64"))
        let exact = raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        let transformersError = zip(expected.logits, exact).map { abs($0 - $1) }.max()!
        let latheError = Self.largestDifference(logits, exact)
        let worst = Self.largestDifference(logits, expected.logits)
        let scale = expected.logits.map(abs).max()!
        #expect(latheError <= transformersError + Self.logitTolerance,
                "Lathe is \(latheError) from float64, transformers \(transformersError)")
        #expect(worst <= Self.logitTolerance, "largest logit difference \(worst) at logit scale \(scale)")
        print("SmolLM2 logits: Lathe−transformers \(worst), Lathe−float64 \(latheError), transformers−float64 \(transformersError), scale \(scale)")
        let loss = Double(model.forward(batch))
        #expect(abs(loss - expected.loss) <= 1e-4, "loss \(loss) vs \(expected.loss)")
        let greedy = try model.generate(prompt: Self.textIds, options: GenerationOptions(maxNewTokens: 8))
        #expect(greedy == expected.greedy)
    }
}
