import Foundation
import Modeling
import Orchestration
import Recipes
import Stages
import Testing
import TestSupport

/// `from:` a llama.cpp file: an attach-adapters stage LoRA-tunes the real SmolLM2-135M-Instruct straight
/// from its Q4_1 GGUF (weights dequantised, tokenizer from the file's metadata); the file is an input of
/// the key (named in the lock file), so the second run executes nothing.
@Suite(.serialized) struct GGUFStageTests {
    static let yaml = """
        name: g
        stages:
          lora:
            kind: attach-adapters
            from: ../models/smollm2.gguf
            datasets: [{path: data/glassvine-test.txt}]
            lora_r: 2
            lora_target_modules: [q_proj, v_proj]
            max_steps: 1
            sequence_len: 16
            micro_batch_size: 2
            threads: 2
        """

    @Test("An adapter stage trains from a GGUF file, and the file is part of the stage's key")
    func anAdapterStageTrainsFromAGGUFFile() throws {
        let p = TemporaryProject()
        let fm = FileManager.default
        try fm.copyItem(at: CommandRunner.packageRoot.appendingPathComponent("pipelines/data/glassvine-test.txt"),
                        to: p.root.appendingPathComponent("pipelines/data/glassvine-test.txt"))
        try fm.createDirectory(at: p.root.appendingPathComponent("models"), withIntermediateDirectories: true)
        let source = try SmolLM2RecipeTests.modelFolder().appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf")
        let target = p.root.appendingPathComponent("models/smollm2.gguf")
        do { try fm.linkItem(at: source, to: target) } catch { try fm.copyItem(at: source, to: target) }

        var run = TrainingPipeline(project: p)
        let first = try run.run(Self.yaml)
        #expect(first.failed.isEmpty && first.executed == ["lora"], "\(first.failed)")
        let out = try run.output("lora")
        let config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("adapter_config.json"))) as? [String: Any])
        #expect(config["base_model_name_or_path"] as? String == "models/smollm2.gguf")
        #expect(fm.fileExists(atPath: out.appendingPathComponent("tokenizer.json").path))
        let lock = try String(contentsOf: p.root.appendingPathComponent("pipelines/p.lock"), encoding: .utf8)
        #expect(lock.contains("models/smollm2.gguf"), "the GGUF file is an input in the lock file")
        #expect(try run.run(Self.yaml).executed.isEmpty)
    }
}
