import Foundation
import Modeling
import Orchestration
import Recipes
@testable import Stages
import Testing
import TestSupport
import Tokenization

/// Masked-LM training of BERT encoders in `pretrain-continue` / `domain-adapt` (issue 17): a tiny random
/// BertModel gets the masked-LM head, learns the sentiment sentences' text, publishes a BertForMaskedLM
/// folder that transformers' AutoModelForMaskedLM loads with Lathe's logits, a classify stage continues
/// from it, and an evaluate stage reports its masked-LM loss on the same fixed masks as the stage's
/// validation; a BERT built from scratch classifies; the recipe checks name line and column.
@Suite(.serialized) struct MaskedLMStageTests {
    /// "the <noun> and <noun> are <word>" sentences, one JSONL record each.
    static func text(_ count: Int, seed: Int) -> String {
        let words = ClassifyStageTests.positive + ClassifyStageTests.negative, nouns = ClassifyStageTests.nouns
        return (0..<count).map { i in
            let k = i * 7 + seed
            return #"{"text": "the \#(nouns[k % 7]) and \#(nouns[(k / 3) % 7]) are \#(words[k % 10])"}"#
        }.joined(separator: "\n") + "\n"
    }

    static func project() throws -> TemporaryProject {
        let p = try BertClassifyStageTests.project()
        p.write("pipelines/data/text.jsonl", text(60, seed: 1))
        p.write("pipelines/data/text-test.jsonl", text(16, seed: 4))
        return p
    }

    static let yaml = """
        name: bert-mlm
        seed: 3
        defaults: {threads: 1}
        stages:
          mlm:
            kind: domain-adapt
            from: ../models/tiny-bert
            datasets: [{path: data/text.jsonl, type: completion}]
            test_datasets: [{path: data/text-test.jsonl, type: completion}]
            sequence_len: 12
            micro_batch_size: 8
            learning_rate: 3.0e-3
            warmup_steps: 5
            max_steps: 60
            eval_steps: 1
          mlm2:
            kind: pretrain-continue
            from: mlm
            datasets: [{path: data/text.jsonl, type: completion}]
            sequence_len: 12
            micro_batch_size: 4
            max_steps: 2
            mlm_probability: 0.4
          mlm3:
            kind: pretrain-continue
            from: mlm
            datasets: [{path: data/text.jsonl, type: completion}]
            sequence_len: 12
            micro_batch_size: 4
            max_steps: 2
          senti:
            kind: classify
            from: mlm
            datasets: [{path: data/train.tsv, type: classification, columns: [text, label]}]
            test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label]}]
            labels: [neg, pos]
            micro_batch_size: 8
            learning_rate: 1.0e-2
            warmup_steps: 5
            max_steps: 100
          scores:
            kind: evaluate
            models: [mlm, mlm2]
            test_datasets: [{path: data/text-test.jsonl, type: completion, name: text, metrics: [loss, perplexity]}]
        """

    /// transformers' masked-LM logits (AutoModelForMaskedLM) of every real position of `rows`, and the class it loaded.
    static func transformersLogits(_ folder: URL, _ batch: EncoderBatch) throws -> (logits: [Double], className: String) {
        let t = batch.sequenceLength
        func rows(_ v: [Int32]) -> [[Int32]] { (0..<batch.batchSize).map { Array(v[($0 * t)..<(($0 + 1) * t)]) } }
        let mask = batch.attentionMask
        let labels = zip(batch.tokens, mask).map { $1 == 1 ? $0 : -100 }
        let input: [String: Any] = ["tokens": rows(batch.tokens), "types": rows(batch.tokenTypes), "mask": rows(mask), "labels": rows(labels)]
        let url = folder.deletingLastPathComponent().appendingPathComponent("mlm-input-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: input).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let json = try #require(JSONSerialization.jsonObject(with: Data(try Python.run([BertClassifyStageTests.bertScript, "mlm", folder.path, url.path]).utf8)) as? [String: Any])
        return (try #require(json["logits"] as? [Double]), json["class"] as? String ?? "")
    }

    /// Lathe's masked-LM logits of every real position of `texts` under the folder's model and tokenizer,
    /// and the largest difference from transformers'.
    static func worstLogitDifference(_ folder: URL, texts: [String]) throws -> (worst: Double, className: String) {
        let model = try HFEncoderFolder.load(directory: folder)
        let tok = try WordPieceTokenizer.load(contentsOf: folder)
        let batch = EncoderBatch(rows: texts.map { tok.encode($0) }.map { (ids: $0.ids, typeIds: $0.typeIds) }, padId: tok.padId)
        let targets = zip(batch.tokens, batch.attentionMask).map { $1 == 1 ? $0 : -1 }
        model.maskedLMLoss(batch, targets: targets)
        let ours = model.maskedLMLogits()
        let (theirs, className) = try transformersLogits(folder, batch)
        #expect(ours.count == theirs.count && !ours.isEmpty)
        return (zip(ours, theirs).map { abs(Double($0) - $1) }.max() ?? .infinity, className)
    }

    @Test("Masked-LM domain adaptation of a BertModel learns, exports BertForMaskedLM equal to transformers, feeds a classify stage, and evaluates on the same masks")
    func maskedLMStage() throws {
        var run = TrainingPipeline(project: try Self.project())
        let summary = try run.run(Self.yaml)
        #expect(summary.failed.isEmpty, "\(summary.failed) \(run.failures)")
        let out = try run.output("mlm")
        let config = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(config["architectures"] as? [String] == ["BertForMaskedLM"])
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("tokenizer.json").path))
        // validation on fixed masks falls as the model learns the sentences
        let lines = try String(contentsOf: out.appendingPathComponent("logs/metrics.jsonl"), encoding: .utf8).split(separator: "\n")
        let validation = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }.compactMap { $0["val_loss"] as? Double }
        try #require(validation.count == 60, "\(lines)")
        #expect(validation.last! < 0.8 * validation.first!, "val_loss \(validation)")
        // transformers loads the export with Lathe's logits
        let (worst, className) = try Self.worstLogitDifference(out, texts: ["the phone and cable are superb", "the screen and case are dreadful"])
        #expect(className == "BertForMaskedLM")
        #expect(worst <= 1e-4, "largest logit difference \(worst)")
        // mlm_probability reaches the run; the default is 0.15
        func summaryValue(_ stage: String, _ key: String) throws -> Double? {
            let url = try run.output(stage).appendingPathComponent("logs/summary.json")
            return (try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])?[key] as? Double
        }
        #expect(try summaryValue("mlm", "mlm_probability") == 0.15)
        #expect(try summaryValue("mlm2", "mlm_probability") == 0.4)
        #expect(try summaryValue("mlm3", "mlm_probability") == 0.15)
        // KeyEffectTests' mlm_probability pair: mlm2 and mlm3 differ only in it, so in key and weights
        let records = try #require(run.lastSummary?.lock.stages)
        #expect(records["mlm2"]?.key != records["mlm3"]?.key)
        let weights2 = try Data(contentsOf: run.output("mlm2").appendingPathComponent("model.safetensors"))
        let weights3 = try Data(contentsOf: run.output("mlm3").appendingPathComponent("model.safetensors"))
        #expect(weights2 != weights3, "mlm_probability 0.4 and the default 0.15 trained the same weights")
        // evaluate: the masked-LM loss of the stage's last validation (same data, windows and fixed mask)
        // (metrics.json: full precision and `loss`, which the lock's headline leaves out beside perplexity)
        let table = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: run.output("scores").appendingPathComponent("metrics.json")))
                                 as? [String: Any])
        let models = try #require(table["models"] as? [String: [String: [String: Double]]], "\(table)")
        let loss = try #require(models["mlm"]?["text"]?["loss"], "\(table)")
        // (float rounding only: another mask or window layout moves the loss by far more than 1e-5)
        #expect(abs(loss - validation.last!) <= 1e-5 * max(1, loss), "evaluate \(loss) vs last val_loss \(validation.last!)")
        let perplexity = try #require(models["mlm"]?["text"]?["perplexity"])
        #expect(abs(perplexity - exp(loss)) <= 1e-5 * exp(loss), "perplexity \(perplexity) vs exp(loss) \(exp(loss))")
        #expect(models["mlm2"]?["text"]?["loss"] != nil && models["mlm2"]?["text"]?["loss"] != loss)
        #expect(try run.metrics("scores")["mlm/text/perplexity"] != nil, "the lock's headline carries the perplexity")
        // `lathe sample` (which loads a model through EvaluatedModel.load) refuses the encoder, saying why
        do {
            _ = try EvaluatedModel.load(.stage("mlm"), recipe: try #require(run.recipe), outputs: ["mlm": out], projectRoot: run.project.root)
            Issue.record("a BertForMaskedLM loaded as a causal language model")
        } catch {
            #expect("\(error)".contains("BERT encoder") && "\(error)".contains("cannot generate"), "\(error)")
        }
        // the classify stage starts from the adapted encoder and learns
        let senti = try run.output("senti")
        let sentiConfig = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: senti.appendingPathComponent("config.json"))) as? [String: Any])
        #expect(sentiConfig["architectures"] as? [String] == ["BertForSequenceClassification"])
        let sentiLoss = try #require(run.metrics("senti")["val_loss"])
        #expect(sentiLoss < log(2.0) * 0.75, "classify from the MLM stage: val_loss \(sentiLoss)")
    }

    @Test("A BERT classifier from scratch trains on a WordPiece tokenizer and transformers loads it with Lathe's logits")
    func scratchBertClassifier() throws {
        var run = TrainingPipeline(project: try Self.project())
        let summary = try run.run("""
            name: bert-scratch
            seed: 3
            defaults: {threads: 1}
            stages:
              senti:
                kind: classify
                from: scratch
                tokenizer: ../models/tiny-bert
                model: {architecture: bert, n_layer: 2, n_head: 2, n_embd: 16, n_positions: 16, intermediate_size: 32, type_vocab_size: 2}
                datasets: [{path: data/train.tsv, type: classification, columns: [text, label]}]
                test_datasets: [{path: data/test.tsv, type: classification, columns: [text, label]}]
                labels: [neg, pos]
                micro_batch_size: 8
                learning_rate: 1.0e-2
                warmup_steps: 5
                max_steps: 100
            """)
        #expect(summary.failed.isEmpty, "\(summary.failed) \(run.failures)")
        let out = try run.output("senti")
        let (model, _) = try HFClassifierFolder.load(directory: out)
        #expect(model.config.family == .bert && model.config.nEmbd == 16 && model.config.intermediateSize == 32)
        #expect(try #require(run.metrics("senti")["val_loss"]) < log(2.0) * 0.75)
        guard case .wordPiece(let tok, _)? = try ClassifierTokenizer.wordPiece(in: out) else { Issue.record("no WordPiece tokenizer"); return }
        let ids = ["the phone and cable are superb", "the screen and case are dreadful"].map { tok.encode($0).ids.map { Int32($0) } }
        let logits = try model.classLogits(ids)
        let rows = ids.map { $0.map(String.init).joined(separator: ",") }.joined(separator: ";")
        let json = try #require(JSONSerialization.jsonObject(with: Data(try Python.run([BertClassifyStageTests.classifierScript, out.path, rows]).utf8)) as? [String: Any])
        #expect(json["class"] as? String == "BertForSequenceClassification")
        let theirs = try #require(json["logits"] as? [[Double]])
        let worst = zip(logits, theirs).flatMap { zip($0, $1).map { abs(Double($0) - $1) } }.max()!
        #expect(worst <= 1e-4, "largest logit difference \(worst)")
    }

    /// The loader's message for `yaml` (a recipe that must not load).
    static func loadError(_ yaml: String) throws -> String {
        let project = try Self.project()
        let url = project.write("pipelines/p.yaml", yaml)
        do {
            _ = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: url)
            return "loaded"
        } catch { return "\(error)" }
    }

    @Test("mlm_probability is refused on decoders and outside (0, 1); replay, instruct and impossible scratch BERT shapes are refused on encoders; each with file:line:col")
    func recipeChecks() throws {
        let decoder = try Self.loadError("""
            name: r
            stages:
              tok: {kind: tokenize, vocab_size: 300, datasets: [{path: data/text.jsonl}]}
              lm:
                kind: pretrain-continue
                from: scratch
                tokenizer: tok
                model: {n_layer: 1, n_head: 2, n_embd: 8, n_positions: 16}
                datasets: [{path: data/text.jsonl, type: completion}]
                mlm_probability: 0.2
            """)
        #expect(decoder.contains("p.yaml:10:") && decoder.contains("mlm_probability") && decoder.contains("decoder"), "\(decoder)")
        let bounds = try Self.loadError("""
            name: r
            stages:
              mlm:
                kind: pretrain-continue
                from: ../models/tiny-bert
                datasets: [{path: data/text.jsonl, type: completion}]
                mlm_probability: 1
            """)
        #expect(bounds.contains("p.yaml:7:") && bounds.contains("mlm_probability") && bounds.contains("less than 1"), "\(bounds)")
        let replay = try Self.loadError("""
            name: r
            stages:
              mlm:
                kind: domain-adapt
                from: ../models/tiny-bert
                datasets: [{path: data/text.jsonl, type: completion}]
                micro_batch_size: 2
                replay: {datasets: [{path: data/text.jsonl}], ratio: 0.5}
            """)
        #expect(replay.contains("p.yaml:8:") && replay.contains("'replay'") && replay.contains("masked-LM"), "\(replay)")
        let instruct = try Self.loadError("""
            name: r
            stages:
              lm:
                kind: instruct
                from: ../models/tiny-bert
                datasets: [{path: data/text.jsonl, type: completion}]
            """)
        #expect(instruct.contains("p.yaml:5:") && instruct.contains("BERT encoder") && instruct.contains("kind: classify"), "\(instruct)")
        let shape = try Self.loadError("""
            name: r
            stages:
              senti:
                kind: classify
                from: scratch
                tokenizer: ../models/tiny-bert
                model: {architecture: bert, n_head: 4, n_embd: 10, rope_theta: 5.0}
                datasets: [{path: data/train.tsv, type: classification, columns: [text, label]}]
            """)
        #expect(shape.contains("p.yaml:7:") && shape.contains("multiple of 'n_head'") && shape.contains("'rope_theta'"), "\(shape)")
        let types = try Self.loadError("""
            name: r
            stages:
              tok: {kind: tokenize, vocab_size: 300, datasets: [{path: data/text.jsonl}]}
              lm:
                kind: pretrain-continue
                from: scratch
                tokenizer: tok
                model: {n_layer: 1, n_head: 2, n_embd: 8, n_positions: 16, type_vocab_size: 2}
                datasets: [{path: data/text.jsonl, type: completion}]
            """)
        #expect(types.contains("p.yaml:8:") && types.contains("type_vocab_size"), "\(types)")
    }

    @Test("all-MiniLM-L6-v2 domain-adapts with masked LM for a few steps and transformers loads the result with Lathe's logits")
    func miniLMMaskedLM() throws {
        let project = TemporaryProject()
        try ModelCache.install(ModelCache.allMiniLM, files: ModelCache.miniLMFiles, into: project.root)
        let reviews = [
            "The froe feels balanced in the hand and holds an edge for weeks.",
            "My new drawknife arrived dull and the handle cracked within a day.",
            "This spokeshave is a joy to use on curved chair legs.",
            "The chisel set rusted after one damp week in the shed.",
        ]
        project.write("pipelines/data/reviews.jsonl", reviews.map { #"{"input": "\#($0)"}"# }.joined(separator: "\n") + "\n")
        var run = TrainingPipeline(project: project)
        let summary = try run.run("""
            name: minilm-mlm
            seed: 1
            defaults: {threads: 2}
            stages:
              adapt:
                kind: domain-adapt
                from: ../models/all-minilm-l6-v2
                datasets: [{path: data/reviews.jsonl, type: completion, field: input}]
                sequence_len: 24
                micro_batch_size: 2
                learning_rate: 5.0e-5
                max_steps: 3
            """)
        #expect(summary.failed.isEmpty, "\(summary.failed) \(run.failures)")
        let out = try run.output("adapt")
        #expect(try run.metrics("adapt")["train_loss"].map(\.isFinite) == true)
        for file in ["tokenizer.json", "vocab.txt", "tokenizer_config.json"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(file).path), "\(file) copied")
        }
        let (worst, className) = try Self.worstLogitDifference(out, texts: ["The froe holds an edge."])
        #expect(className == "BertForMaskedLM")
        #expect(worst <= 1e-4, "largest logit difference \(worst)")
    }
}
