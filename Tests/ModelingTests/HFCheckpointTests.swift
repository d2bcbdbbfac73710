import Foundation
import SafeTensors
import Testing
@testable import Modeling

@Suite struct HFCheckpointTests {
    @Test func exportThenImportIsBitwiseIdentical() throws {
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let original = HFTestSupport.randomCheckpoint()
        try original.export(to: directory)
        let imported = try HFCheckpoint.read(directory: directory)
        #expect(imported.config == original.config)
        #expect(imported.weights.keys.sorted() == original.weights.keys.sorted())
        for (name, values) in original.weights {
            #expect(imported.weights[name]?.map(\.bitPattern) == values.map(\.bitPattern), "\(name)")
        }
        // One-off interop checks (e.g. loading in transformers) can keep a copy of the export.
        if let keep = ProcessInfo.processInfo.environment["LATHE_KEEP_HF_EXPORT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: directory.path, toPath: keep)
        }
    }

    @Test func exportWritesWhatSavePretrainedWrites() throws {
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = HFTestSupport.randomCheckpoint()
        try checkpoint.export(to: directory)
        let configData = try Data(contentsOf: directory.appendingPathComponent("config.json"))
        let config = try #require(JSONSerialization.jsonObject(with: configData) as? [String: Any])
        #expect(config["architectures"] as? [String] == ["GPT2LMHeadModel"])
        #expect(config["model_type"] as? String == "gpt2")
        #expect(config["activation_function"] as? String == "gelu_new")
        #expect(config["n_embd"] as? Int == 8 && config["n_layer"] as? Int == 2 && config["n_head"] as? Int == 2)
        #expect(config["vocab_size"] as? Int == 11 && config["n_positions"] as? Int == 8 && config["n_ctx"] as? Int == 8)
        #expect(config["n_inner"] is NSNull)
        #expect(config["tie_word_embeddings"] as? Bool == true)
        #expect((config["layer_norm_epsilon"] as? Double).map { abs($0 - 1e-5) < 1e-12 } == true)
        #expect(config["bos_token_id"] as? Int == 10 && config["eos_token_id"] as? Int == 10)
        let file = try SafeTensorsFile.read(contentsOf: directory.appendingPathComponent("model.safetensors"))
        #expect(file.metadata == ["format": "pt"])
        // 2 embeddings + 12 per layer + ln_f pair, all prefixed, no lm_head (tied, as save_pretrained).
        #expect(file.tensors.count == 2 + 12 * 2 + 2)
        #expect(file.tensors.allSatisfy { $0.name.hasPrefix("transformer.") && $0.dtype == .f32 })
        #expect(file.info("lm_head.weight") == nil)
        #expect(file.info("transformer.h.1.attn.c_attn.weight")?.shape == [8, 24])  // Conv1D [in, out]
        #expect(file.info("transformer.h.0.mlp.c_proj.weight")?.shape == [32, 8])
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("generation_config.json").path))
    }

    @Test func gpt2SmallHasTheKnownParameterCount() {
        let small = HFGPT2Config(vocabSize: 50257, nPositions: 1024, nEmbd: 768, nLayer: 12, nHead: 12)
        #expect(small.parameterCount == 124_439_808)
        #expect(small.weightSpecs.count == 148)
    }

    @Test func hubStyleCheckpointsImport() throws {
        // The hub's gpt2 file: no prefix, F16 weights here, causal-mask buffers, a tied lm_head. Written by the
        // reference `safetensors` package; `expected.safetensors` holds numpy's F32 view of the same F16 values.
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try HFTestSupport.randomCheckpoint().export(to: directory)
        _ = try HFTestSupport.runPython(["-c", """
            import sys, numpy as np
            from safetensors.numpy import load_file, save_file
            d = sys.argv[1]
            t = {k[len("transformer."):]: v.astype(np.float16) for k, v in load_file(d + "/model.safetensors").items()}
            save_file({k: v.astype(np.float32) for k, v in t.items()}, d + "/expected.safetensors")
            P = 8
            for i in range(2):
                t["h.%d.attn.bias" % i] = np.tril(np.ones((P, P), np.float32)).reshape(1, 1, P, P)
                t["h.%d.attn.masked_bias" % i] = np.array(-1e4, np.float32)
            t["lm_head.weight"] = t["wte.weight"]
            save_file(t, d + "/model.safetensors", metadata={"format": "pt"})
            """, directory.path])
        let imported = try HFCheckpoint.read(directory: directory)
        let expected = try SafeTensorsFile.read(contentsOf: directory.appendingPathComponent("expected.safetensors"))
        #expect(imported.weights.count == expected.tensors.count)
        for info in expected.tensors {
            #expect(try imported.weights[info.name] == expected.floats(info.name), "\(info.name)")
        }
    }

    @Test func shardedCheckpointsImport() throws {
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = HFTestSupport.randomCheckpoint()
        try checkpoint.export(to: directory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("model.safetensors"))
        var shards = [SafeTensorsWriter(metadata: ["format": "pt"]), SafeTensorsWriter(metadata: ["format": "pt"])]
        var map: [String] = []
        for (i, spec) in checkpoint.config.weightSpecs.enumerated() {
            try shards[i % 2].addFloat32(spec.name, shape: spec.shape, values: checkpoint.weights[spec.name]!)
            map.append("\"\(spec.name)\": \"model-0000\(i % 2 + 1)-of-00002.safetensors\"")
        }
        try shards[0].write(to: directory.appendingPathComponent("model-00001-of-00002.safetensors"))
        try shards[1].write(to: directory.appendingPathComponent("model-00002-of-00002.safetensors"))
        let index = "{\"metadata\": {\"total_size\": 0}, \"weight_map\": {" + map.joined(separator: ", ") + "}}"
        try Data(index.utf8).write(to: directory.appendingPathComponent("model.safetensors.index.json"))
        #expect(try HFCheckpoint.read(directory: directory).weights == checkpoint.weights)
    }
}
