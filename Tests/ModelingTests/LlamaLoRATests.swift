import Foundation
import TestSupport
import Testing
@testable import Modeling

/// LoRA on a Llama-family decoder: adapters on modules fused into one product (q|k|v, gate|up) write
/// only their own columns, PEFT names (`model.layers.N.self_attn.q_proj.lora_A.weight`), `nn.Linear`
/// merging, and PEFT itself loading what Lathe writes.
@Suite struct LlamaLoRATests {
    static let allLinear = LoRAConfig(rank: 2, alpha: 3, targetModules: [LoRAConfig.allLinearTarget],
                                      modulesToSave: ["layers.0.input_layernorm", "embed_tokens"])

    static func model(_ lora: LoRAConfig = allLinear) throws -> GPTModel {
        try LoRATests.adapted(lora, config: Fixtures.tinyLlama)
    }

    @Test("all-linear selects the seven Llama modules of every block, named as PEFT names them")
    func allLinearTargetsEveryModuleWithPEFTNames() throws {
        let m = try Self.model()
        let adapters = try #require(m.adapters)
        #expect(adapters.targets.count == 14)
        #expect(adapters.parameterShapes.first?.name == "model.layers.0.self_attn.q_proj.lora_A.weight")
        #expect(adapters.parameterShapes.first?.shape == [2, 8])
        let k = try #require(adapters.parameterShapes.first { $0.name == "model.layers.1.self_attn.k_proj.lora_B.weight" })
        #expect(k.shape == [8, 2])  // 2 KV heads of 4
        let only = try LoRAConfig(rank: 2, alpha: 4, targetModules: ["v_proj", "gate_proj"]).targets(layout: m.layout, nLayer: 2)
        #expect(only.map(\.modulePath) == ["model.layers.0.self_attn.v_proj", "model.layers.0.mlp.gate_proj",
                                           "model.layers.1.self_attn.v_proj", "model.layers.1.mlp.gate_proj"])
        #expect(throws: ModelingError.self) { try LoRAConfig(rank: 2, alpha: 4, targetModules: ["c_attn"]).targets(layout: m.layout, nLayer: 2) }
    }

    @Test("Adapter, saved-module and input gradients match finite differences through fused products")
    func gradientsMatchFiniteDifferences() throws {
        try LoRATests.expectGradientsMatchFiniteDifferences(
            try Self.model(), savedTensors: ["model.layers.0.input_layernorm.weight", "model.embed_tokens.weight"])
    }

    @Test("Merged weights, cached decoding and the batched path agree with adapters on")
    func mergeAndDecodingAgree() throws {
        let m = try Self.model(LoRAConfig(rank: 2, alpha: 3, targetModules: [LoRAConfig.allLinearTarget], useRSLoRA: true))
        let batch = Fixtures.packedBatch()
        let withAdapter = m.logits(batch) { Array($0) }, folded = try m.merged().logits(batch) { Array($0) }
        #expect(zip(withAdapter, folded).map { abs($0 - $1) }.max()! <= 1e-5)
        let plain = try GPTModel(config: m.config)
        try plain.setParameterValues(m.parameterValues())
        #expect(zip(plain.logits(batch) { Array($0) }, withAdapter).map { abs($0 - $1) }.max()! > 1e-2)
        let tokens: [Int32] = [1, 5, 7, 2, 9, 4]
        let full = m.logits(TokenBatch(tokens: tokens, batchSize: 1, sequenceLength: tokens.count)) { Array($0) }
        let cache = KVCache(config: m.config, capacity: tokens.count)
        var worst: Float = 0
        for (t, token) in tokens.enumerated() {
            let row = m.decodeStep(cache, token: token)
            for j in 0..<m.config.vocabSize { worst = max(worst, abs(row[j] - full[t * m.config.vocabSize + j])) }
        }
        #expect(worst <= 1e-5, "cached decoding differs by \(worst)")
    }

    @Test("PEFT loads Lathe's Llama-family adapter (fan_in_fan_out false) and gives Lathe's logits")
    func peftLoadsTheAdapter() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = try Self.model(LoRAConfig(rank: 2, alpha: 3, targetModules: ["q_proj", "k_proj", "v_proj", "o_proj", "up_proj", "down_proj"]))
        let plain = try GPTModel(config: model.config)
        try plain.setParameterValues(model.parameterValues())
        try plain.exportHF(to: dir.appendingPathComponent("base"))
        try PEFTAdapter.write(model, baseModel: dir.appendingPathComponent("base").path, to: dir.appendingPathComponent("adapter"))
        let config = try #require(JSONSerialization.jsonObject(
            with: Data(contentsOf: dir.appendingPathComponent("adapter/adapter_config.json"))) as? [String: Any])
        #expect(config["fan_in_fan_out"] as? Bool == false)
        let ids: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        let script = PEFTAdapterTests.golden.appendingPathComponent("peft_reference.py").path
        let output = try HFTestSupport.runPython([script, dir.appendingPathComponent("base").path,
                                                  dir.appendingPathComponent("adapter").path, ids.map(String.init).joined(separator: ",")])
        let json = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let expected = try #require(json["logits"] as? [[Double]]).flatMap { $0 }
        let merged = try #require(json["merged_logits"] as? [[Double]]).flatMap { $0 }
        let logits = model.logits(TokenBatch(tokens: ids, batchSize: 1, sequenceLength: ids.count)) { Array($0) }
        #expect(logits.count == expected.count)
        #expect(zip(logits, expected).map { abs(Double($0) - $1) }.max()! <= 1e-4)
        #expect(zip(logits, merged).map { abs(Double($0) - $1) }.max()! <= 1e-4)
        // and a Lathe reload of the folder gives the same logits
        let reloaded = try GPTModel.loadHF(directory: dir.appendingPathComponent("base"))
        try PEFTAdapter.load(directory: dir.appendingPathComponent("adapter"), into: reloaded)
        let again = reloaded.logits(TokenBatch(tokens: ids, batchSize: 1, sequenceLength: ids.count)) { Array($0) }
        #expect(again == logits)
    }
}
