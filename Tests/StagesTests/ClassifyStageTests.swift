import Datasets
import Foundation
import Modeling
import Orchestration
import Recipes
@testable import Stages
import Testing
import Tokenization
import TestSupport

/// `kind: classify` from a recipe: a tiny decoder learns a two-class sentiment task from TSV rows, the
/// stage publishes an HF classifier folder with the recipe's labels, a second classify stage continues
/// from it keeping its head, a rerun executes nothing, and bad data fails with file and line.
@Suite(.serialized) struct ClassifyStageTests {
    static let positive = ["great", "lovely", "excellent", "superb", "wonderful"]
    static let negative = ["awful", "broken", "terrible", "poor", "dreadful"]
    static let nouns = ["phone", "battery", "screen", "case", "charger", "headset", "cable"]

    /// `count` TSV rows "the <noun> and <noun> are <word>\t<label>", alternating labels, seeded.
    static func rows(_ count: Int, seed: Int) -> String {
        (0..<count).map { i in
            let k = i * 7 + seed
            let pos = i % 2 == 0
            let word = (pos ? positive : negative)[k % 5]
            return "the \(nouns[k % 7]) and \(nouns[(k / 3) % 7]) are \(word)\t\(pos ? "pos" : "neg")"
        }.joined(separator: "\n") + "\n"
    }

    static func yaml(steps: Int = 100) -> String {
        """
        name: classify
        seed: 3
        defaults: {threads: 1}
        stages:
          tok: {kind: tokenize, vocab_size: 300, datasets: [{path: data/train.tsv, type: classification, columns: [text, label]}]}
          senti:
            kind: classify
            from: scratch
            tokenizer: tok
            model: {n_layer: 2, n_head: 2, n_embd: 32, n_positions: 32}
            datasets: [{path: data/train.tsv, type: classification, columns: [text, label]}]
            test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label]}]
            labels: [neg, pos]
            micro_batch_size: 8
            learning_rate: 1.0e-2
            warmup_steps: 5
            max_steps: \(steps)
          again:
            kind: classify
            from: senti
            datasets: [{path: data/test.tsv, type: classification, columns: [text, label]}]
            labels: [neg, pos]
            freeze_trainable_layers: 1
            max_steps: 2
          scores:
            kind: evaluate
            models: [senti, again]
            test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label], name: test}]
        """
    }

    static func project(test: String = rows(20, seed: 5)) -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/train.tsv", rows(80, seed: 1))
        p.write("pipelines/data/test.tsv", test)
        return p
    }

    @Test("A classify stage learns a sentiment task and publishes an HF classifier with the recipe's labels")
    func classifyStageLearnsAndExports() throws {
        var run = TrainingPipeline(project: Self.project())
        let summary = try run.run(Self.yaml())
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let out = try run.output("senti")
        let config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["architectures"] as? [String] == ["GPT2ForSequenceClassification"])
        #expect(config["id2label"] as? [String: String] == ["0": "neg", "1": "pos"])
        #expect(config["label2id"] as? [String: Int] == ["neg": 0, "pos": 1])

        let (model, labels) = try HFClassifierFolder.load(directory: out)
        #expect(labels == ["neg", "pos"])
        let tokenizer = try BPETokenizer.load(contentsOf: out.appendingPathComponent("tokenizer.json"))
        let test = Self.rows(20, seed: 5).split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        let probabilities = try model.classProbabilities(test.map { tokenizer.encode($0[0]).map(Int32.init) })
        let correct = zip(probabilities, test).filter { p, row in labels[p[1] > p[0] ? 1 : 0] == row[1] }.count
        #expect(correct >= 18, "\(correct) of 20 held-out rows right (majority baseline: 10)")
        let metrics = try run.metrics("senti")
        #expect(try #require(metrics["val_loss"]) < log(2.0), "\(metrics)")  // ln 2: a model that has learned nothing
        print("classify stage: \(correct)/20 held-out rows right, metrics \(metrics)")

        // the continuing stage kept the head (same labels, same order) and trained only the last block
        let next = try HFClassifierFolder.load(directory: try run.output("again")).model
        let embeddings = try model.withParameter(named: "transformer.wte.weight") { Array($0) }
        #expect(try next.withParameter(named: "transformer.wte.weight") { Array($0) } == embeddings)

        // the evaluate stage: accuracy next to the majority baseline in the lock, the rest in metrics.json
        let scores = try run.metrics("scores")
        #expect(scores["senti/test/majority_baseline"] == 0.5)
        #expect(scores["senti/test/accuracy"] == Double(correct) / 20, "\(scores)")
        #expect(scores["senti/test/macro_f1"] != nil && scores["again/test/accuracy"] != nil)
        #expect(!scores.keys.contains { $0.contains("confusion") })
        let table = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: try run.output("scores").appendingPathComponent("metrics.json"))) as? [String: Any])
        let senti = try #require(((table["models"] as? [String: Any])?["senti"] as? [String: Any])?["test"] as? [String: Double])
        let cells = ["neg:neg", "neg:pos", "pos:neg", "pos:pos"].compactMap { senti["confusion:\($0)"] }
        #expect(cells.count == 4 && cells.reduce(0, +) == 20)
        #expect(senti["confusion:neg:neg"]! + senti["confusion:pos:pos"]! == Double(correct))
        let markdown = try String(contentsOf: try run.output("scores").appendingPathComponent("metrics.md"), encoding: .utf8)
        #expect(markdown.contains("| true \\ predicted | neg | pos | recall | precision |"), "\(markdown)")

        let again = try run.run(Self.yaml())
        #expect(again.executed.isEmpty, "\(again.executed)")
    }

    @Test("Classification metrics: accuracy, per-class precision and recall, macro-F1, confusion and the majority baseline")
    func classificationMetricsByHand() {
        let m = ClassificationMetrics(truth: [0, 0, 1, 1, 2, 2, 1], predicted: [0, 1, 1, 1, 0, 0, 1], classes: 3)
        #expect(m.confusion == [[1, 1, 0], [0, 3, 0], [2, 0, 0]])
        #expect(abs(m.accuracy - 4.0 / 7) < 1e-12)
        #expect(zip(m.precision, [1.0 / 3, 3.0 / 4, 0]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(m.precision)")
        #expect(zip(m.recall, [0.5, 1, 0]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(m.recall)")
        // F1: 0.4, 6/7, 0 (label 2 is never predicted right)
        #expect(abs(m.macroF1 - (0.4 + 6.0 / 7) / 3) < 1e-12)
        #expect(abs(m.majorityBaseline - 3.0 / 7) < 1e-12)
        let constant = ClassificationMetrics(truth: [0, 1, 1, 1], predicted: [1, 1, 1, 1], classes: 2)
        #expect(constant.accuracy == constant.majorityBaseline)  // answering one label for everything earns the baseline
        #expect(m.values(labels: ["a", "b", "c"])["confusion:c:a"] == 2)
    }

    @Test("A test label the training data lacks stops the stage and `lathe validate`, naming file and line")
    func unseenTestLabelFails() throws {
        let project = Self.project(test: "the phone is great\tpos\nthe case is fine\tmeh\n")
        var run = TrainingPipeline(project: project)
        let summary = try run.run(Self.yaml(steps: 2))
        #expect(summary.failed.contains("senti"))
        let recipe = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: project.root.appendingPathComponent("pipelines/p.yaml")).recipe
        guard case .classify(let p) = try #require(recipe.stage(named: "senti")).params else {
            Issue.record("senti is not a classify stage")
            return
        }
        do {
            _ = try ClassificationInputs.check(p, root: project.root)
            Issue.record("an unseen test label must fail")
        } catch {
            let message = "\(error)"
            #expect(message.contains("pipelines/data/test.tsv:2: the validation label 'meh' is not one of the model's labels"), "\(message)")
        }
    }

    @Test("Over-long texts are truncated to sequence_len and counted in the stage's summary")
    func longTextsAreTruncatedAndCounted() throws {
        var run = TrainingPipeline(project: Self.project())
        let yaml = Self.yaml(steps: 2).replacingOccurrences(of: "    labels: [neg, pos]\n    micro_batch_size: 8",
                                                            with: "    labels: [neg, pos]\n    sequence_len: 4\n    micro_batch_size: 8")
        #expect(yaml.contains("sequence_len: 4"))
        let summary = try run.run(yaml)
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let logs = try run.output("senti").appendingPathComponent("logs/summary.json")
        let json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: logs)) as? [String: Any])
        #expect(json["truncated_texts"] as? Double == 100, "\(json)")  // all 80 training and 20 test rows
    }

    @Test("The classification dataset keys leave the keys of existing stages alone (no filled defaults)")
    func classificationKeysDoNotChangeOtherStagesKeys() throws {
        let project = Self.project()
        let recipe = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: project.write("pipelines/p.yaml", Self.yaml())).recipe
        let tok = try #require(recipe.stage(named: "tok"))
        #expect(tok.canonicalParams.keys.contains { $0.contains("columns") })
        #expect(!tok.canonicalParams.keys.contains { $0.contains("text_field") || $0.contains("label_field") }, "\(tok.canonicalParams.keys.sorted())")
    }
}
