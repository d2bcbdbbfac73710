import Foundation
import Modeling
import Orchestration
import Recipes
import Stages
import Testing
import Tokenization
import TestSupport

/// Every training stage kind on a Llama-family decoder from a recipe: pre-training from scratch with
/// grouped-query attention, domain adaptation with replay and a frozen block, LoRA with replay on all
/// linear modules, evaluation; the exported folder loads in transformers with Lathe's logits; a killed
/// LoRA run resumes to the same bits; the second run executes nothing.
@Suite(.serialized) struct LlamaStageTests {
    static func yaml(loraSteps: Int = 10, loraExtra: String = "    merge_lora: true") -> String {
        """
        name: llama
        seed: 5
        defaults: {sequence_len: 32, micro_batch_size: 4, threads: 1, warmup_steps: 2}
        stages:
          tok: {kind: tokenize, vocab_size: 300, datasets: [{path: data/general.txt}, {path: data/domain.txt}]}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {architecture: llama, n_layer: 2, n_head: 4, num_key_value_heads: 2, n_embd: 32, n_positions: 64,
                    intermediate_size: 48, rope_theta: 10000.0}
            datasets: [{path: data/general.txt}, {path: data/domain.txt}]
            learning_rate: 3.0e-3
            max_steps: 12
          domain:
            kind: domain-adapt
            from: base
            datasets: [{path: data/domain.txt}]
            replay: {datasets: [{path: data/general.txt}], ratio: 0.25}
            unfrozen_parameters: ['model\\.layers\\.1\\.']
            max_steps: 6
          lora:
            kind: attach-adapters
            from: domain
            datasets: [{path: data/domain.txt}]
            replay: {datasets: [{path: data/general.txt}], ratio: 0.25}
            lora_r: 4
            lora_target_linear: true
            learning_rate: 1.0e-2
            max_steps: \(loraSteps)
        \(loraExtra)
          eval:
            kind: evaluate
            models: [base, domain, lora]
            test_datasets: [{path: data/domain.txt}]
        """
    }

    static func project() -> TemporaryProject {
        let p = TemporaryProject()
        var g = SyntheticText(seed: 21)
        p.write("pipelines/data/general.txt", SyntheticText.file(g.documents(40) { $0.generalSentence() }))
        p.write("pipelines/data/domain.txt", SyntheticText.file(g.documents(40) { $0.domainSentence() }))
        return p
    }

    @Test("A Llama-family chain trains, evaluates, exports for transformers and reruns nothing")
    func aLlamaChainRunsEndToEnd() throws {
        var run = TrainingPipeline(project: Self.project())
        let summary = try run.run(Self.yaml())
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let base = try run.output("base"), domain = try run.output("domain"), lora = try run.output("lora")
        let config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: base.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["model_type"] as? String == "llama" && config["num_key_value_heads"] as? Int == 2)

        // freezing by name: block 0 and the embedding are the base's bits, block 1 moved
        let b = try GPTModel.loadHF(directory: base), d = try GPTModel.loadHF(directory: domain)
        for p in b.layout.parameters {
            let same = try b.withParameter(named: p.name) { x in try d.withParameter(named: p.name) { y in Array(x) == Array(y) } }
            #expect(same == !p.name.hasPrefix("model.layers.1."), "\(p.name)")
        }
        // LoRA on all seven linear modules of both blocks, PEFT names, nn.Linear orientation
        let adapterConfig = try #require(JSONSerialization.jsonObject(
            with: Data(contentsOf: lora.appendingPathComponent("adapter_config.json"))) as? [String: Any])
        #expect(adapterConfig["fan_in_fan_out"] as? Bool == false)
        #expect((adapterConfig["target_modules"] as? [String])?.count == 7)
        #expect(FileManager.default.fileExists(atPath: lora.appendingPathComponent("merged/model.safetensors").path))
        #expect(try run.metrics("eval").keys.contains { $0.hasPrefix("lora") })

        // transformers loads the exported folder and gives Lathe's logits
        let ids: [Int32] = [5, 17, 42, 8, 99, 3, 250, 7]
        let reference = try HFTestSupportForStages.transformersLogits(folder: try run.output("domain"), ids: ids)
        let logits = d.logits(TokenBatch(tokens: ids, batchSize: 1, sequenceLength: ids.count)) { Array($0) }
        #expect(zip(logits, reference).map { abs(Double($0) - $1) }.max()! <= 1e-4)

        let again = try run.run(Self.yaml())
        #expect(again.executed.isEmpty, "\(again.executed)")
    }

    @Test("A killed Llama LoRA run resumes to the bits of an uninterrupted one")
    func killAndResumeIsBitwise() throws {
        let yaml = Self.yaml(loraSteps: 8, loraExtra: "    save_steps: 3")
        var whole = TrainingPipeline(project: Self.project())
        #expect(try whole.run(yaml).failed.isEmpty)
        var killed = TrainingPipeline(project: Self.project())
        let flag = CancellationFlag()
        let first = try killed.run(yaml, cancel: flag) { registry in
            AdapterInterrupt(inner: InterruptingRunner(inner: registry, flag: flag, step: 4), plain: registry)
        }
        #expect(first.failed == ["lora"])
        #expect(try killed.run(yaml).executed.contains("lora"))
        let file = "adapter_model.safetensors"
        #expect(try Data(contentsOf: killed.output("lora").appendingPathComponent(file))
            == Data(contentsOf: whole.output("lora").appendingPathComponent(file)))
    }
}

/// transformers' logits for an HF folder, through the model tests' reference script.
enum HFTestSupportForStages {
    static func transformersLogits(folder: URL, ids: [Int32]) throws -> [Double] {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ModelingTests/LlamaFixtures/llama_reference.py").path
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-ref-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try Python.run([script, "real", folder.path, out.path, ids.map(String.init).joined(separator: ",")])
        let raw = try Data(contentsOf: out.appendingPathComponent("logits.f64"))
        return raw.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }
}
