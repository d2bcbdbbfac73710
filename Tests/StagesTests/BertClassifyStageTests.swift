import Foundation
import Modeling
import Orchestration
import Recipes
@testable import Stages
import Testing
import TestSupport
import Tokenization

/// `kind: classify` on a BERT encoder folder (`model_type: bert`, WordPiece `tokenizer.json`): a tiny
/// random BERT learns the sentiment rows of ``ClassifyStageTests``, publishes a
/// `BertForSequenceClassification` folder that transformers loads with Lathe's logits, an evaluate stage
/// scores it on classification data, and stages that need a language model refuse the encoder.
@Suite(.serialized) struct BertClassifyStageTests {
    static let bertScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelingTests/reference_bert.py").standardized.path
    static let classifierScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../ModelingTests/ClassifierFixtures/classifier_reference.py").standardized.path

    /// A project holding the tiny random BERT of `reference_bert.py` at `models/tiny-bert` with a WordPiece
    /// tokenizer.json over the sentiment rows' words, and the train/test TSVs of ``ClassifyStageTests``.
    static func project() throws -> TemporaryProject {
        let p = ClassifyStageTests.project()
        let folder = p.root.appendingPathComponent("models/tiny-bert").path
        _ = try Python.run([bertScript, "make", folder])
        let words = ["the", "and", "are"] + ClassifyStageTests.positive + ClassifyStageTests.negative + ClassifyStageTests.nouns
        _ = try Python.run([bertScript, "make-tokenizer", folder, words.joined(separator: ",")])
        return p
    }

    static let yaml = """
        name: bert-classify
        seed: 3
        defaults: {threads: 1}
        stages:
          senti:
            kind: classify
            from: ../models/tiny-bert
            datasets: [{path: data/train.tsv, type: classification, columns: [text, label]}]
            test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label]}]
            labels: [neg, pos]
            micro_batch_size: 8
            learning_rate: 3.0e-3
            warmup_steps: 5
            max_steps: 60
          scores:
            kind: evaluate
            models: [senti]
            test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label], name: test}]
        """

    @Test("A classify stage on a BERT folder learns, exports BertForSequenceClassification equal to transformers, and evaluates")
    func classifyOnBert() throws {
        var run = TrainingPipeline(project: try Self.project())
        let summary = try run.run(Self.yaml)
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let out = try run.output("senti")
        let config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["architectures"] as? [String] == ["BertForSequenceClassification"])
        #expect(config["id2label"] as? [String: String] == ["0": "neg", "1": "pos"])
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("tokenizer.json").path))
        let metrics = try run.metrics("senti")
        #expect(try #require(metrics["val_loss"]) < log(2.0) * 0.75, "\(metrics)")  // ln 2: nothing learned
        // the export in transformers: same logits for "[CLS] the phone and case are great [SEP]"-style rows
        let texts = ["the phone and cable are superb", "the screen and case are dreadful"]
        let ours = try EvaluatedModel.classProbabilities(texts, ref: .stage("senti"), recipe: run.recipe!, outputs: ["senti": out],
                                                         projectRoot: run.project.root)
        #expect(ours[0][1] > 0.5 && ours[1][0] > 0.5, "\(ours)")
        let (model, _) = try HFClassifierFolder.load(directory: out)
        guard case .wordPiece(let tok, _)? = try ClassifierTokenizer.wordPiece(in: out) else { Issue.record("no WordPiece tokenizer"); return }
        let ids = texts.map { tok.encode($0).ids.map { Int32($0) } }
        let logits = try model.classLogits(ids)
        let rows = ids.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let json = try #require(JSONSerialization.jsonObject(with: Data(try Python.run([Self.classifierScript, out.path, rows]).utf8)) as? [String: Any])
        #expect(json["class"] as? String == "BertForSequenceClassification")
        let theirs = try #require(json["logits"] as? [[Double]])
        let worst = zip(logits, theirs).flatMap { zip($0, $1).map { abs(Double($0) - $1) } }.max()!
        #expect(worst <= 1e-4, "largest logit difference \(worst)")
        let scores = try run.metrics("scores")
        #expect(try #require(scores["senti/test/accuracy"]) >= 0.9, "\(scores)")
        #expect(scores["senti/test/majority_baseline"] != nil, "\(scores)")
    }

    @Test("Stages that need a causal language model refuse a BERT encoder when the recipe loads, saying where encoders train")
    func lmStagesRefuseEncoders() throws {
        let project = try Self.project()
        project.write("pipelines/data/text.jsonl", #"{"instruction": "rate it", "output": "the phone and case are great"}"# + "\n")
        let url = project.write("pipelines/p.yaml", """
            name: bert-refuse
            defaults: {threads: 1}
            stages:
              lm:
                kind: instruct
                from: ../models/tiny-bert
                datasets: [{path: data/text.jsonl, type: alpaca}]
                max_steps: 1
            """)
        do {
            _ = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: url)
            Issue.record("an instruct stage from a BERT folder loaded")
        } catch {
            let message = "\(error)"
            #expect(message.contains("p.yaml:6") && message.contains("BERT encoder") && message.contains("kind: classify")
                        && message.contains("masked-LM"), "\(message)")
        }
    }
}
