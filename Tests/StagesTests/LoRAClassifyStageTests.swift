import Foundation
import Modeling
import Orchestration
import Recipes
import SafeTensors
@testable import Stages
import Testing
import TestSupport
import Tokenization

/// Issue 17: `kind: classify` with `adapter: lora` — the model frozen, LoRA adapters and the classification
/// head trained (PEFT's SEQ_CLS task). On a tiny random BERT and a tiny random Llama made by transformers,
/// the published PEFT folder loads in `peft` on `AutoModelForSequenceClassification` with Lathe's logits,
/// `merged/` loads in transformers with them too, evaluate and the resolver (`lathe classify`'s path) score
/// the adapter stage, and a killed run resumes to the same bits.
@Suite(.serialized) struct LoRAClassifyStageTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelingTests/ClassifierFixtures/peft_classifier_reference.py").standardized.path

    static let texts = ["the phone and cable are superb", "the screen and case are dreadful", "the battery is poor",
                        "lovely headset"]

    /// PEFT's logits for `ids` (one text per row, run alone) with the adapter in `adapter` on the base in `base`.
    static func peftLogits(base: URL, adapter: URL, ids: [[Int32]]) throws -> (logits: [[Double]], json: [String: Any]) {
        let rows = ids.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let out = try Python.run([script, "run", base.path, adapter.path, rows])
        let json = try #require(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        return (try #require(json["logits"] as? [[Double]]), json)
    }

    /// transformers' logits for a `…ForSequenceClassification` folder, each row run alone.
    static func transformersLogits(folder: URL, ids: [[Int32]]) throws -> [[Double]] {
        let rows = ids.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let out = try Python.run([BertClassifyStageTests.classifierScript, folder.path, rows])
        let json = try #require(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        return try #require(json["single"] as? [[Double]])
    }

    static func worst(_ a: [[Float]], _ b: [[Double]]) -> Double {
        zip(a, b).flatMap { zip($0, $1).map { abs(Double($0) - $1) } }.max() ?? .infinity
    }

    /// The classifier a stage published, through the resolver `lathe classify` and evaluate use, and its ids
    /// and logits for `texts`.
    static func lathe(_ run: TrainingPipeline, stage: String, outputs: [String: URL]) throws -> (ids: [[Int32]], logits: [[Float]], labels: [String]) {
        let c = try #require(try ModelResolver.classifier(.stage(stage), recipe: run.recipe!, outputs: outputs, projectRoot: run.project.root))
        let encoded = texts.map { c.tokenizer.encode($0, pair: nil, limit: c.model.config.nPositions) }
        let logits = try c.model.classLogits(encoded.map(\.ids), tokenTypes: c.model.config.family == .bert ? encoded.map(\.types) : nil)
        return (encoded.map(\.ids), logits, c.labels)
    }

    static func adapterConfig(_ out: URL) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("adapter_config.json"))) as? [String: Any])
    }

    static func tensorNames(_ out: URL) throws -> Set<String> {
        Set(try SafeTensorsFile.read(contentsOf: out.appendingPathComponent("adapter_model.safetensors")).tensors.map(\.name))
    }

    // MARK: BERT

    static let bertYAML = """
        name: bert-lora
        seed: 3
        defaults: {threads: 1}
        stages:
          senti:
            kind: classify
            from: ../models/tiny-bert
            adapter: lora
            lora_r: 4
            lora_target_linear: true
            merge_lora: true
            datasets: [{path: data/train.tsv, type: classification, columns: [text, label]}]
            test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label]}]
            labels: [neg, pos]
            micro_batch_size: 8
            learning_rate: 1.0e-2
            max_steps: 20
          scores:
            kind: evaluate
            models: [senti]
            test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label], name: test}]
        """

    @Test("A LoRA classify stage on a BERT folder publishes a SEQ_CLS PEFT adapter that peft loads with Lathe's logits, a merged BertForSequenceClassification, and evaluates")
    func loraOnBert() throws {
        var run = TrainingPipeline(project: try BertClassifyStageTests.project())
        let summary = try run.run(Self.bertYAML)
        #expect(summary.failed.isEmpty, "\(run.failures)")
        let out = try run.output("senti")
        let config = try Self.adapterConfig(out)
        #expect(config["task_type"] as? String == "SEQ_CLS")
        #expect(config["modules_to_save"] as? [String] == ["classifier"])
        #expect(config["base_model_name_or_path"] as? String == "models/tiny-bert")
        #expect(Set(config["target_modules"] as? [String] ?? []) == ["attention.self.query", "attention.self.key", "attention.self.value",
                                                                    "attention.output.dense", "intermediate.dense", "output.dense"])
        // PEFT's names: the encoder under `bert.`, the head saved in full
        let names = try Self.tensorNames(out)
        #expect(names.contains("base_model.model.bert.encoder.layer.1.attention.self.query.lora_A.weight"))
        #expect(names.contains("base_model.model.bert.encoder.layer.0.output.dense.lora_B.weight"))
        #expect(names.contains("base_model.model.classifier.weight") && names.contains("base_model.model.classifier.bias"))
        #expect(!names.contains { $0.contains("pooler") || $0.contains("embeddings") })
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("config.json").path),
                "a config.json beside the adapter would make transformers take the folder for a model")

        // trainable: A and B of 6 modules × 2 blocks (C 16, MLP 24, r 4) plus the head (2 × 16 + 2)
        let cost = try #require(run.lastSummary?.lock.stages["senti"]?.cost)
        let adapterParams = 2 * (3 * (4 * 16 + 16 * 4) + (4 * 16 + 16 * 4) + (4 * 16 + 24 * 4) + (4 * 24 + 16 * 4))
        #expect(cost["adapter_params"] == Double(adapterParams), "\(cost)")
        #expect(cost["trainable_params"] == Double(adapterParams + 34), "\(cost)")

        let outputs = ["senti": out]
        let (ids, ours, labels) = try Self.lathe(run, stage: "senti", outputs: outputs)
        #expect(labels == ["neg", "pos"])
        let (theirs, json) = try Self.peftLogits(base: run.project.root.appendingPathComponent("models/tiny-bert"), adapter: out, ids: ids)
        #expect(json["class"] as? String == "BertForSequenceClassification")
        #expect(Self.worst(ours, theirs) <= 1e-4, "Lathe \(ours) vs PEFT \(theirs)")
        // the head and adapters moved: a fresh head over the base alone gives other logits
        let untouched = try GPTModel.loadHF(directory: run.project.root.appendingPathComponent("models/tiny-bert"))
            .withClassificationHead(numLabels: 2, seed: 1)
        #expect(Self.worst(try untouched.classLogits(ids), theirs) > 1e-3)

        let merged = try Self.transformersLogits(folder: out.appendingPathComponent("merged"), ids: ids)
        #expect(Self.worst(ours, merged) <= 1e-4, "Lathe \(ours) vs merged \(merged)")
        #expect(try #require(cost["merge_max_abs_diff"]) <= 1e-4)

        let scores = try run.metrics("scores")
        #expect(scores["senti/test/accuracy"] != nil, "\(scores)")
        let probabilities = try EvaluatedModel.classProbabilities(Self.texts, ref: .stage("senti"), recipe: run.recipe!, outputs: outputs,
                                                                  projectRoot: run.project.root)
        #expect(probabilities.count == Self.texts.count && probabilities.allSatisfy { abs($0.reduce(0, +) - 1) < 1e-9 })
    }

    // MARK: Llama made by transformers

    /// The classify project plus `models/tiny-llama`: a BPE tokenizer.json trained on the rows and a tiny
    /// random LlamaForCausalLM of its vocabulary written by transformers.
    static func llamaProject() throws -> TemporaryProject {
        let p = ClassifyStageTests.project()
        let folder = p.root.appendingPathComponent("models/tiny-llama")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let text = p.read("pipelines/data/train.tsv")!.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
        let tokenizer = try BPETrainer(vocabSize: 300, minFrequency: 1).train(text.map { Array($0.utf8) })
        try tokenizer.write(to: folder.appendingPathComponent("tokenizer.json"))
        _ = try Python.run([script, "make-llama", folder.path, "\(tokenizer.vocabSize)", "\(try #require(tokenizer.endOfTextId))"])
        return p
    }

    static func llamaYAML(steps: Int = 12, extra: String = "    merge_lora: true") -> String {
        """
        name: llama-lora
        seed: 4
        defaults: {threads: 1}
        stages:
          lora:
            kind: classify
            from: ../models/tiny-llama
            adapter: lora
            lora_r: 4
            lora_dropout: 0.1
            datasets: [{path: data/train.tsv, type: classification, columns: [text, label]}]
            labels: [neg, pos]
            micro_batch_size: 8
            learning_rate: 1.0e-2
            max_steps: \(steps)
        \(extra)
          scores:
            kind: evaluate
            models: [lora]
            test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label], name: test}]
        """
    }

    @Test("A LoRA classify stage on a Llama made by transformers loads in peft with Lathe's logits and merges into a LlamaForSequenceClassification")
    func loraOnLlama() throws {
        var run = TrainingPipeline(project: try Self.llamaProject())
        let summary = try run.run(Self.llamaYAML())
        #expect(summary.failed.isEmpty, "\(run.failures)")
        let out = try run.output("lora")
        let config = try Self.adapterConfig(out)
        #expect(config["task_type"] as? String == "SEQ_CLS")
        #expect(config["target_modules"] as? [String] == ["q_proj", "v_proj"], "PEFT's default for Llama")
        #expect(config["modules_to_save"] as? [String] == ["score"])
        let names = try Self.tensorNames(out)
        #expect(names.contains("base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"))
        #expect(names.contains("base_model.model.score.weight") && names.count == 2 * 2 * 2 + 1, "\(names.sorted())")

        let outputs = ["lora": out]
        let (ids, ours, _) = try Self.lathe(run, stage: "lora", outputs: outputs)
        let (theirs, json) = try Self.peftLogits(base: run.project.root.appendingPathComponent("models/tiny-llama"), adapter: out, ids: ids)
        #expect(json["class"] as? String == "LlamaForSequenceClassification")
        #expect(Self.worst(ours, theirs) <= 1e-4, "Lathe \(ours) vs PEFT \(theirs)")
        let merged = try Self.transformersLogits(folder: out.appendingPathComponent("merged"), ids: ids)
        #expect(Self.worst(ours, merged) <= 1e-4, "Lathe \(ours) vs merged \(merged)")
        #expect(try run.metrics("scores")["lora/test/accuracy"] != nil)
        let again = try run.run(Self.llamaYAML())
        #expect(again.executed.isEmpty, "a second run executes nothing: \(again.executed)")
    }

    @Test("A killed LoRA classify run resumes to the adapter and head bits of an uninterrupted one")
    func killAndResumeIsBitwise() throws {
        let yaml = Self.llamaYAML(steps: 8, extra: "    save_steps: 3")
        let project = try Self.llamaProject()
        var whole = TrainingPipeline(project: project)
        #expect(try whole.run(yaml).failed.isEmpty)
        var killed = TrainingPipeline(project: try Self.llamaProject())
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
