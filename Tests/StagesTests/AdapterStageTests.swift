import Foundation
import Modeling
import Orchestration
import Recipes
import Stages
import Testing
import Tokenization
import TestSupport

/// The attach-adapters stage end to end: a tiny base pre-trained on mixed general and domain text gets a
/// LoRA adapter that specialises it to domain text; the stage writes a PEFT folder (plus its base and a merged model), and `ModelResolver`
/// loads it back as base + adapter.
@Suite(.serialized) struct AdapterStageTests {
    static func yaml(loraSteps: Int = 24, extra: String = "") -> String {
        """
        name: t
        seed: 3
        stages:
          tok: {kind: tokenize, vocab_size: 300, datasets: [{path: data/general.txt, type: completion}, {path: data/domain.txt, type: completion}]}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {n_layer: 2, n_head: 2, n_embd: 32, n_positions: 64}
            datasets: [{path: data/general.txt, type: completion}, {path: data/domain.txt, type: completion}]
            learning_rate: 3.0e-3
            max_steps: 30
            sequence_len: 64
            micro_batch_size: 8
            threads: 1
            warmup_steps: 5
          lora:
            kind: attach-adapters
            from: base
            datasets: [{path: data/domain.txt, type: completion}]
            lora_r: 4
            lora_dropout: 0.1
            lora_target_modules: [c_attn, mlp.c_fc]
            lora_modules_to_save: [ln_f]
            merge_lora: true
            val_set_size: 0.1
            learning_rate: 3.0e-2
            max_steps: \(loraSteps)
            sequence_len: 64
            micro_batch_size: 8
            threads: 1
            warmup_steps: 2
        \(extra)
        """
    }

    static func project() -> TemporaryProject {
        let p = TemporaryProject()
        var g = SyntheticText(seed: 11)
        p.write("pipelines/data/general.txt", SyntheticText.file(g.documents(60) { $0.generalSentence() }))
        p.write("pipelines/data/domain.txt", SyntheticText.file(g.documents(60) { $0.domainSentence() }))
        return p
    }

    static func recipe(_ run: TrainingPipeline) throws -> Recipe {
        try RecipeLoader(projectRoot: run.project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: run.project.root.appendingPathComponent("pipelines/p.yaml")).recipe
    }

    @Test func trainsAnAdapterAndWritesPEFTBaseAndMergedFolders() throws {
        var run = TrainingPipeline(project: Self.project())
        let summary = try run.run(Self.yaml())
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let out = try run.output("lora")
        let fm = FileManager.default
        for file in ["adapter_config.json", "adapter_model.safetensors", "tokenizer.json", "logs/metrics.jsonl", "logs/summary.json",
                     "base/config.json", "base/model.safetensors", "merged/config.json", "merged/model.safetensors", "merged/tokenizer.json"] {
            #expect(fm.fileExists(atPath: out.appendingPathComponent(file).path), "missing \(file)")
        }
        #expect(!fm.fileExists(atPath: out.appendingPathComponent("merged/adapter_config.json").path))
        #expect(!fm.fileExists(atPath: out.appendingPathComponent("model.safetensors").path))

        // cost record: only the adapter trains (r·(in+out) per module: c_attn 4·(32+96), c_fc 4·(32+128), 2 layers)
        // plus ln_f (2·32), which the tiny base's tied head needs to sharpen its logits
        let cost = try #require(summary.lock.stages["lora"]).cost
        let trainable = try #require(cost["trainable_params"]), total = try #require(cost["total_params"])
        #expect(trainable == Double(2 * (4 * (32 + 96) + 4 * (32 + 128)) + 64))
        #expect(trainable / total < 0.1)  // 6% here: a 32-wide model with a 300-token vocabulary is tiny

        // loaded back through the resolver: base + adapter, the same as the merged folder
        let recipe = try Self.recipe(run)
        let outputs = ["base": try run.output("base"), "lora": out]
        let (model, tokenizer) = try ModelResolver.load(.stage("lora"), recipe: recipe, outputs: outputs, projectRoot: run.project.root)
        #expect(model.adapters?.config.rank == 4)
        let merged = try GPTModel.loadHF(directory: out.appendingPathComponent("merged"))
        let probe = tokenizer.encode("a glass vine grows near the amber root.").map(Int32.init)
        #expect(model.maxLogitDifference(to: merged, tokens: probe) <= 1e-5)
        // the folder is self-contained: without the base stage's output it loads from base/
        let (alone, _) = try ModelResolver.load(.stage("lora"), recipe: recipe, outputs: ["lora": out], projectRoot: run.project.root)
        #expect(alone.maxLogitDifference(to: merged, tokens: probe) <= 1e-5)

        // the adapter learned the domain: lower domain loss than the base it was trained on
        let base = try TrainedModel(try run.output("base"))
        var h = SyntheticText(seed: 77)
        let heldOut = h.documents(20) { $0.domainSentence() }
        let data = try TrainingData.contiguous(tokens: base.stream(heldOut), sequenceLength: 64, vocabSize: model.config.vocabSize)
        let before = try base.model.evaluate(data).meanLoss, after = try model.evaluate(data).meanLoss
        print("attach-adapters: domain loss \(before) → \(after), trainable \(Int(trainable)) of \(Int(total))")
        #expect(after < before - 0.2)
    }

    @Test func aPEFTFolderUnderTheProjectLoadsItsBaseFromTheConfig() throws {
        var run = TrainingPipeline(project: Self.project())
        try run.run(Self.yaml(loraSteps: 2))
        let fm = FileManager.default
        let out = try run.output("lora")
        // copy the adapter (without its embedded base) and the base model into the project
        let adapterDir = run.project.root.appendingPathComponent("adapters/domain")
        try fm.createDirectory(at: adapterDir, withIntermediateDirectories: true)
        for f in ["adapter_model.safetensors", "tokenizer.json"] {
            try fm.copyItem(at: out.appendingPathComponent(f), to: adapterDir.appendingPathComponent(f))
        }
        try fm.copyItem(at: try run.output("base"), to: run.project.root.appendingPathComponent("models/base"))
        let config = try String(contentsOf: out.appendingPathComponent("adapter_config.json"), encoding: .utf8)
        let recipe = try Self.recipe(run)
        // base_model_name_or_path names a folder that does not exist: a clear error
        try Data(config.utf8).write(to: adapterDir.appendingPathComponent("adapter_config.json"))
        let error = #expect(throws: StageError.self) {
            try ModelResolver.load(.path("adapters/domain"), recipe: recipe, outputs: [:], projectRoot: run.project.root)
        }
        #expect(error?.description.contains("base_model_name_or_path 'base' is not a folder under the project root") == true, "\(String(describing: error))")
        // pointed at the copied base, it loads
        try Data(config.replacingOccurrences(of: "\"base_model_name_or_path\" : \"base\"", with: "\"base_model_name_or_path\" : \"models/base\"").utf8)
            .write(to: adapterDir.appendingPathComponent("adapter_config.json"))
        let (model, _) = try ModelResolver.load(.path("adapters/domain"), recipe: recipe, outputs: [:], projectRoot: run.project.root)
        let merged = try GPTModel.loadHF(directory: out.appendingPathComponent("merged"))
        #expect(model.maxLogitDifference(to: merged, tokens: [1, 2, 3, 4, 5]) <= 1e-5)
    }

    @Test func killAndResumeEqualsAnUninterruptedAdapterRun() throws {
        var whole = TrainingPipeline(project: Self.project())
        let yaml = Self.yaml(loraSteps: 12).replacingOccurrences(of: "    merge_lora: true", with: "    save_steps: 4")
        #expect(try whole.run(yaml).failed.isEmpty)

        var killed = TrainingPipeline(project: Self.project())
        let flag = CancellationFlag()
        let first = try killed.run(yaml, cancel: flag) { registry in
            // interrupt only the adapter stage, once it has passed a checkpoint
            AdapterInterrupt(inner: InterruptingRunner(inner: registry, flag: flag, step: 6), plain: registry)
        }
        #expect(first.failed == ["lora"])
        let second = try killed.run(yaml)
        #expect(second.executed == ["lora"])
        let file = "adapter_model.safetensors"
        let a = try Data(contentsOf: try killed.output("lora").appendingPathComponent(file))
        let b = try Data(contentsOf: try whole.output("lora").appendingPathComponent(file))
        #expect(a == b)
        #expect(try killed.metrics("lora") == whole.metrics("lora"))
    }
}

/// Routes the `lora` stage through an interrupting runner and everything else through the plain registry.
struct AdapterInterrupt: StageRunner {
    let inner: InterruptingRunner
    let plain: StageRegistry
    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        spec.name == "lora" ? try inner.run(spec, context: context) : try plain.run(spec, context: context)
    }
}
