import Foundation
import Modeling
import Orchestration
import Recipes
import Stages
import Testing
import TestSupport

/// `pipelines/methods/smollm2-domain.yaml` on the real SmolLM2-135M-Instruct (`scripts/fetch-models.sh`),
/// at a CI budget (2 steps of 2 × 32 tokens): full domain adaptation and LoRA, both with replay, and the
/// evaluate stage; the full model's folder loads in transformers and the LoRA folder in PEFT with
/// Lathe's logits.
@Suite(.serialized) struct SmolLM2RecipeTests {
    static func modelFolder() throws -> URL { try ModelCache.folder(ModelCache.smolLM2) }

    /// The method recipe with its paths re-rooted at the harness's `pipelines/p.yaml` and a CI budget.
    static func recipe() throws -> String {
        let text = try String(contentsOf: CommandRunner.packageRoot.appendingPathComponent("pipelines/methods/smollm2-domain.yaml"),
                              encoding: .utf8)
        return text.replacingOccurrences(of: "../../models/", with: "../models/")
            .replacingOccurrences(of: "path: ../data/", with: "path: data/")
            .replacingOccurrences(of: #"max_steps: \d+"#, with: "max_steps: 2", options: .regularExpression)
            .replacingOccurrences(of: "sequence_len: 256", with: "sequence_len: 32")
            .replacingOccurrences(of: "micro_batch_size: 4 ", with: "micro_batch_size: 2 ")
            .replacingOccurrences(of: "kind: evaluate", with: "kind: evaluate\n    max_samples: 2\n    eval_sequence_len: 64")
    }

    static func project() throws -> TemporaryProject {
        let p = TemporaryProject()
        let fm = FileManager.default
        for file in ["glassvine.txt", "glassvine-test.txt", "general.txt", "general-test.txt", "prose-test.txt"] {
            try fm.copyItem(at: CommandRunner.packageRoot.appendingPathComponent("pipelines/data/\(file)"),
                            to: p.root.appendingPathComponent("pipelines/data/\(file)"))
        }
        let models = p.root.appendingPathComponent("models/smollm2-135m-instruct")
        try fm.createDirectory(at: models, withIntermediateDirectories: true)
        let source = try modelFolder()
        for file in ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"] {
            let from = source.appendingPathComponent(file), to = models.appendingPathComponent(file)
            do { try fm.linkItem(at: from, to: to) } catch { try fm.copyItem(at: from, to: to) }
        }
        return p
    }

    @Test("The SmolLM2 domain recipe trains full and LoRA models that transformers and PEFT load with Lathe's logits")
    func smolLM2RecipeRunsAndItsExportsLoad() throws {
        var run = TrainingPipeline(project: try Self.project())
        let summary = try run.run(try Self.recipe())
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let metrics = try run.metrics("compare")
        #expect(metrics.keys.contains { $0.hasPrefix("lora/") } && metrics.keys.contains { $0.hasPrefix("full/") }, "\(metrics.keys.sorted())")

        let ids = LlamaTextIds.ids
        let batch = TokenBatch(tokens: ids, batchSize: 1, sequenceLength: ids.count)
        let full = try GPTModel.loadHF(directory: try run.output("full"))
        let reference = try HFTestSupportForStages.transformersLogits(folder: try run.output("full"), ids: ids)
        let logits = full.logits(batch) { Array($0) }
        #expect(zip(logits, reference).map { abs(Double($0) - $1) }.max()! <= 1e-4)

        let recipe = try RecipeLoader(projectRoot: run.project.root, modelFolders: ModelFolderPreflight())
            .load(recipeAt: run.project.root.appendingPathComponent("pipelines/p.yaml")).recipe
        let (lora, _) = try ModelResolver.load(.stage("lora"), recipe: recipe, outputs: ["lora": try run.output("lora")],
                                               projectRoot: run.project.root)
        #expect(lora.adapters?.targets.count == 30 * 7)
        let script = CommandRunner.packageRoot.appendingPathComponent("Tests/ModelingTests/HFFixtures/lora/peft_reference.py").path
        let output = try Python.run([script, run.project.root.appendingPathComponent("models/smollm2-135m-instruct").path,
                                     try run.output("lora").path, ids.map(String.init).joined(separator: ",")])
        let json = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        let peft = try #require(json["logits"] as? [[Double]]).flatMap { $0 }
        let adapted = lora.logits(batch) { Array($0) }
        #expect(zip(adapted, peft).map { abs(Double($0) - $1) }.max()! <= 1e-4)
    }
}

/// A sentence in SmolLM2's tokenizer ("Gardeners prune the glass vines in early spring, before the first buds open.").
enum LlamaTextIds {
    static let ids: [Int32] = [30347, 20131, 34091, 260, 4433, 25567, 281, 1584, 4921, 28, 1092, 260, 808, 19691, 1440, 30]
}
