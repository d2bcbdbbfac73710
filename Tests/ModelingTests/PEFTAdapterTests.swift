import Foundation
import SafeTensors
import TestSupport
import Testing
@testable import Modeling

/// PEFT adapter folders: the written format pinned by golden files (`HFFixtures/lora/`), round trips,
/// mlx-lm conversion, strict validation, and PEFT itself loading what Lathe writes.
@Suite(.serialized) struct PEFTAdapterTests {
    static let golden = HFTestSupport.testsDirectory.appendingPathComponent("HFFixtures/lora")
    static let goldenConfig = LoRAConfig(rank: 2, alpha: 4, dropout: 0.05, targetModules: ["c_attn", "mlp.c_proj"],
                                         layersToTransform: [1], modulesToSave: ["ln_f"])

    static func model(_ lora: LoRAConfig) throws -> GPTModel {
        let m = try LoRATests.adapted(lora)
        return m
    }

    static func json(_ url: URL) throws -> NSDictionary {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? NSDictionary)
    }

    @Test func writtenKeysShapesAndConfigMatchTheGoldenFiles() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try PEFTAdapter.write(try Self.model(Self.goldenConfig), baseModel: "models/base", to: dir)
        let config = try Self.json(dir.appendingPathComponent("adapter_config.json"))
        #expect(config == (try Self.json(Self.golden.appendingPathComponent("adapter_config.json"))), "\(config)")
        let file = try SafeTensorsFile.read(contentsOf: dir.appendingPathComponent("adapter_model.safetensors"))
        var shapes: [String: [Int]] = [:]
        for t in file.tensors { shapes[t.name] = t.shape; #expect(t.dtype == .f32) }
        let expected = try Self.json(Self.golden.appendingPathComponent("adapter_tensors.json")) as? [String: [Int]]
        #expect(shapes == expected)
    }

    @Test func anAdapterSurvivesWriteAndLoadBitwise() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try Self.model(Self.goldenConfig)
        original.withParameters { p in let i = original.layout.info("transformer.ln_f.weight")!.offset; p[i] = 3.5 }
        try PEFTAdapter.write(original, baseModel: "models/base", to: dir)
        let loaded = try GPTModel(config: original.config)
        try loaded.setParameterValues(original.parameterValues().enumerated().map { i, v in
            i == original.layout.info("transformer.ln_f.weight")!.offset ? 1 : v })  // the base before ln_f trained
        let header = try PEFTAdapter.load(directory: dir, into: loaded)
        #expect(header.format == .peft && header.baseModel == "models/base" && header.config == Self.goldenConfig)
        #expect(loaded.adapters!.parameterValues() == original.adapters!.parameterValues())
        #expect(loaded.parameterValues() == original.parameterValues())  // modules_to_save restored
        #expect(loaded.trainable.filter { $0 }.count == 2)  // ln_f weight and bias train with the adapter
    }

    @Test func mlxLMAdaptersConvertToTheSameModel() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lora = LoRAConfig(rank: 2, alpha: 5, targetModules: ["attn.c_attn", "mlp.c_proj"], layersToTransform: [1])
        let original = try Self.model(lora)
        let adapters = original.adapters!
        let values = adapters.parameterValues()
        // mlx-lm stores the transposes, lora_a [in, r] and lora_b [r, out], under the module's own path
        var writer = SafeTensorsWriter()
        for (name, shape, offset) in adapters.parameterShapes {
            let rows = shape[0], cols = shape[1]
            var t = [Float](repeating: 0, count: rows * cols)
            for i in 0..<rows { for j in 0..<cols { t[j * rows + i] = values[offset + i * cols + j] } }
            let key = "model." + name.dropFirst("transformer.".count).replacingOccurrences(of: ".lora_A.weight", with: ".lora_a")
                .replacingOccurrences(of: ".lora_B.weight", with: ".lora_b")
            try writer.addFloat32(key, shape: [cols, rows], values: t)
        }
        try writer.write(to: dir.appendingPathComponent("adapters.safetensors"))
        let config = #"{"fine_tune_type": "lora", "num_layers": 1, "lora_parameters": {"rank": 2, "scale": 2.5, "dropout": 0.0, "keys": ["attn.c_attn", "mlp.c_proj"]}}"#
        try Data(config.utf8).write(to: dir.appendingPathComponent("adapter_config.json"))
        let loaded = try GPTModel(config: original.config)
        try loaded.setParameterValues(original.parameterValues())
        let header = try PEFTAdapter.load(directory: dir, into: loaded)
        #expect(header.format == .mlx)
        #expect(loaded.adapters!.config.alpha == 5 && loaded.adapters!.targets == adapters.targets)
        #expect(loaded.adapters!.parameterValues() == values)
    }

    /// Hostile or mismatched adapter folders: each error names the file at fault and what is wrong.
    struct BadAdapter: CustomTestStringConvertible, Sendable {
        let id: String
        /// Edits a valid adapter folder.
        let damage: @Sendable (URL) throws -> Void
        let file: String
        let message: String
        var testDescription: String { id }
    }

    static let badAdapters: [BadAdapter] = [
        BadAdapter(id: "rank differs from the weights", damage: { dir in
            try edit(dir) { $0.replacingOccurrences(of: "\"r\" : 2", with: "\"r\" : 3") }
        }, file: "adapter_model.safetensors", message: "but r = 3 on this base needs [3, 8]"),
        BadAdapter(id: "target module missing from the weights", damage: { dir in
            try edit(dir) { $0.replacingOccurrences(of: "\"c_attn\",", with: "\"c_attn\", \"c_fc\",") }
        }, file: "adapter_model.safetensors", message: "missing tensor 'base_model.model.transformer.h.1.mlp.c_fc.lora_A.weight'"),
        BadAdapter(id: "weights for an untargeted module", damage: { dir in
            try edit(dir) { $0.replacingOccurrences(of: "\"mlp.c_proj\"", with: "\"mlp.c_fc\"") }
        }, file: "adapter_model.safetensors", message: "belongs to a module adapter_config.json does not target"),
        BadAdapter(id: "unknown target module", damage: { dir in
            try edit(dir) { $0.replacingOccurrences(of: "\"mlp.c_proj\"", with: "\"q_proj\"") }
        }, file: "adapter_config.json", message: "lora target module 'q_proj' names no linear layer"),
        BadAdapter(id: "DoRA", damage: { dir in
            try edit(dir) { $0.replacingOccurrences(of: "\"use_dora\" : false", with: "\"use_dora\" : true") }
        }, file: "adapter_config.json", message: "Lathe does not implement DoRA"),
        BadAdapter(id: "not JSON", damage: { dir in
            try Data("{r: 2".utf8).write(to: dir.appendingPathComponent("adapter_config.json"))
        }, file: "adapter_config.json", message: "not a JSON object"),
        BadAdapter(id: "truncated weights", damage: { dir in
            let url = dir.appendingPathComponent("adapter_model.safetensors")
            try Data(contentsOf: url).prefix(40).write(to: url)
        }, file: "adapter_model.safetensors", message: "cannot read it"),
    ]

    static func edit(_ dir: URL, _ change: (String) -> String) throws {
        let url = dir.appendingPathComponent("adapter_config.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let changed = change(text)
        guard changed != text else { throw HFTestSupport.PythonFailure(message: "the edit did not apply to \(text)") }
        try Data(changed.utf8).write(to: url)
    }

    @Test(arguments: badAdapters)
    func aDamagedAdapterIsRejectedNamingTheFile(_ bad: BadAdapter) throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let original = try Self.model(Self.goldenConfig)
        try PEFTAdapter.write(original, baseModel: "models/base", to: dir)
        try bad.damage(dir)
        let base = try GPTModel(config: original.config)
        let error = try #require(throws: ModelingError.self) { try PEFTAdapter.load(directory: dir, into: base) }
        let text = error.description
        #expect(text.contains(dir.appendingPathComponent(bad.file).path), "\(text)")
        #expect(text.contains(bad.message), "\(text)")
        #expect(base.adapters == nil)
    }

    @Test func peftLoadsLathesAdapterAndGivesTheSameLogits() throws {
        let dir = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lora = LoRAConfig(rank: 2, alpha: 3, dropout: 0.1, targetModules: ["c_attn", "c_proj"], useRSLoRA: true)
        let model = try Self.model(lora)
        let plain = try GPTModel(config: model.config)
        try plain.setParameterValues(model.parameterValues())
        try plain.exportHF(to: dir.appendingPathComponent("base"))
        try PEFTAdapter.write(model, baseModel: dir.appendingPathComponent("base").path, to: dir.appendingPathComponent("adapter"))
        let ids: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6]
        let script = Self.golden.appendingPathComponent("peft_reference.py").path
        let output = try HFTestSupport.runPython([script, dir.appendingPathComponent("base").path,
                                                  dir.appendingPathComponent("adapter").path, ids.map(String.init).joined(separator: ",")])
        let json = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let expected = try #require(json["logits"] as? [[Double]]), merged = try #require(json["merged_logits"] as? [[Double]])
        let logits = model.logits(TokenBatch(tokens: ids, batchSize: 1, sequenceLength: ids.count)) { Array($0) }
        let flat = expected.flatMap { $0 }
        #expect(flat.count == logits.count)
        // Float32 engine vs PEFT in float64: ~1e-6 observed; 1e-4 as HFReferenceTests.
        let worst = zip(logits, flat).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worst <= 1e-4, "largest logit difference vs PEFT \(worst)")
        let worstMerged = zip(logits, merged.flatMap { $0 }).map { abs(Double($0) - $1) }.max() ?? .infinity
        #expect(worstMerged <= 1e-4, "largest logit difference vs PEFT merge_and_unload \(worstMerged)")
        // the adapter matters: the base alone is far from these logits
        let base = plain.logits(TokenBatch(tokens: ids, batchSize: 1, sequenceLength: ids.count)) { Array($0) }
        #expect(zip(base, flat).map { abs(Double($0) - $1) }.max()! > 1e-2)
    }
}
