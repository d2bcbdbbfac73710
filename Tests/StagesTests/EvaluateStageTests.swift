import JSONText
import Foundation
import Modeling
import Orchestration
import Recipes
import Stages
import Testing
import TestSupport

/// The evaluate stage end to end (issue #6): a tiny model pre-trained from scratch, then instruction-
/// tuned to answer every question "positive"; both evaluated through the real loader and executor.
@Suite(.serialized) struct EvaluateStageTests {
    static let question = "Is the review of this tool good or bad?"

    /// Training records always answer "positive"; the 4 test records are 3 × positive, 1 × negative,
    /// each offering `options: [negative, positive]` (negative first, so a tie would score wrong).
    static func writeData(_ p: TemporaryProject) {
        var g = SyntheticText(seed: 11)
        p.write("pipelines/data/general.txt", SyntheticText.file(g.documents(80) { $0.generalSentence() }))
        var h = SyntheticText(seed: 99)
        p.write("pipelines/data/general-test.txt", SyntheticText.file(h.documents(6) { $0.generalSentence() }))
        func record(_ input: String, _ output: String, options: Bool = false) -> String {
            "{\"instruction\": \"\(question)\", \"input\": \"\(input)\", \"output\": \"\(output)\""
                + (options ? ", \"options\": [\"negative\", \"positive\"]}" : "}")
        }
        var train = SyntheticText(seed: 5)
        p.write("pipelines/data/qa.jsonl", (0..<60).map { _ in record(train.generalSentence(), "positive") }.joined(separator: "\n") + "\n")
        let test = [("the red fox sees the old dog.", "positive"), ("the quick cat likes the dark bird.", "positive"),
                    ("the green horse finds the small mouse.", "positive"), ("the old dog chases the red fox.", "negative")]
        p.write("pipelines/data/test.jsonl", test.map { record($0.0, $0.1, options: true) }.joined(separator: "\n") + "\n")
    }

    static let recipe = """
        name: t
        seed: 3
        stages:
          tok: {kind: tokenize, vocab_size: 400, datasets: [{path: data/general.txt}, {path: data/qa.jsonl, type: alpaca}]}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {n_layer: 2, n_head: 2, n_embd: 32, n_positions: 128}
            datasets: [{path: data/general.txt}]
            learning_rate: 3.0e-3
            max_steps: 30
            sequence_len: 64
            micro_batch_size: 8
            threads: 1
          ft:
            kind: instruct
            from: base
            datasets: [{path: data/qa.jsonl, type: alpaca}]
            sample_packing: true
            learning_rate: 3.0e-3
            max_steps: 60
            sequence_len: 128
            micro_batch_size: 8
            threads: 1
          report:
            kind: evaluate
            models: [base, ft]
            threads: 1
            generation_max_new_tokens: 8
            generation_temperature: 0.8
            test_datasets:
              - {path: data/test.jsonl, type: alpaca, name: qa}
              - {path: data/test.jsonl, type: alpaca, name: choice, choices: options, metrics: [accuracy]}
              - {path: data/general-test.txt, split_documents: none, role: forgetting, name: general}
            samples: {prompts: ["the old fox"], n: 2}
        """

    @Test func evaluateStageScoresEveryModelOnEveryDatasetAndRecordsHeadlinesInTheLock() throws {
        var run = TrainingPipeline()
        Self.writeData(run.project)
        let summary = try run.run(Self.recipe)
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let out = try run.output("report")
        let json = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("metrics.json")))
        #expect(SchemaValidator(schema: EvaluationTable.schema()).validate(json) == [])
        func metric(_ model: String, _ dataset: String, _ name: String) throws -> Double {
            try #require(json["models"]?[model]?[dataset]?[name]?.doubleValue, "\(model)/\(dataset)/\(name) missing")
        }
        // default instruction metrics; the forgetting set gets perplexity + forgetting
        #expect(json["models"]?["ft"]?["qa"]?.objectValue?.keys.sorted() == ["exact_match", "loss", "token_f1"])
        #expect(json["models"]?["ft"]?["general"]?.objectValue?.keys.sorted() == ["forgetting_delta", "forgetting_ratio", "perplexity"])

        // Choices scored by log-likelihood: the tuned model prefers "positive" everywhere → 3 of 4 right.
        #expect(try metric("ft", "choice", "accuracy") == 0.75)

        // Exact match and loss agree with an independent recomputation from the exported model folders.
        let test = [("the red fox sees the old dog.", "positive"), ("the quick cat likes the dark bird.", "positive"),
                    ("the green horse finds the small mouse.", "positive"), ("the old dog chases the red fox.", "negative")]
        for model in ["base", "ft"] {
            let trained = try TrainedModel(try run.output(model))
            let right = try test.filter { input, output in
                let prompt = "Below is an instruction that describes a task, paired with an input that provides further context. "
                    + "Write a response that appropriately completes the request.\n\n### Instruction:\n\(Self.question)\n\n"
                    + "### Input:\n\(input)\n\n### Response:\n"
                return try trained.answer(prompt, maxNewTokens: 8).trimmingCharacters(in: .whitespacesAndNewlines) == output
            }.count
            #expect(try metric(model, "qa", "exact_match") == Double(right) / 4, "\(model)")
            let text = try #require(run.project.read("pipelines/data/general-test.txt"))
            let ppl = exp(try trained.loss([text], sequenceLength: 128))
            #expect(abs(try metric(model, "general", "perplexity") - ppl) < 1e-4 * ppl, "\(model)")
        }
        print("evaluate: ft exact_match \(try metric("ft", "qa", "exact_match")), base \(try metric("base", "qa", "exact_match")); ft qa loss \(try metric("ft", "qa", "loss")) vs base \(try metric("base", "qa", "loss"))")
        #expect(try metric("ft", "qa", "loss") < metric("base", "qa", "loss"))
        // The tuned model answers "positive" + EOS to every record: 3 of 4 exact, and token F1
        // (1 + 1 + 1 + 0) / 4; the base model never produces the label.
        #expect(try metric("ft", "qa", "exact_match") == 0.75)
        #expect(try metric("ft", "qa", "token_f1") == 0.75)
        #expect(try metric("base", "qa", "exact_match") == 0)

        // Forgetting is measured against the FIRST model listed.
        let basePPL = try metric("base", "general", "perplexity"), ftPPL = try metric("ft", "general", "perplexity")
        #expect(try metric("base", "general", "forgetting_ratio") == 1)
        #expect(try metric("base", "general", "forgetting_delta") == 0)
        #expect(abs(try metric("ft", "general", "forgetting_ratio") - ftPPL / basePPL) < 1e-5)
        #expect(abs(try metric("ft", "general", "forgetting_delta") - (ftPPL - basePPL)) < 1e-5 * max(1, abs(ftPPL - basePPL)))  // 6 significant digits

        // Headline metrics in the lock file, rounded to 5 significant digits; loss left out where perplexity is there.
        let lock = try run.metrics("report")
        #expect(lock["ft/choice/accuracy"] == 0.75)
        #expect(lock["ft/qa/exact_match"] == 0.75)
        #expect(lock["ft/general/perplexity"] == EvaluationTable.rounded(ftPPL, significantDigits: 5))
        #expect(lock["ft/qa/loss"] != nil)
        #expect(lock["ft/general/forgetting_ratio"] != nil && lock["ft/general/loss"] == nil && lock["ft/general/forgetting_delta"] == nil)

        // The comparison table and the samples.
        let table = try String(contentsOf: out.appendingPathComponent("metrics.md"), encoding: .utf8)
        #expect(table.contains("## qa\n\n| model | loss | exact_match | token_f1 |\n"))
        #expect(table.contains("| ft | "))
        let samples = try JSONValue.parse(Data(contentsOf: out.appendingPathComponent("samples.json")))
        for model in ["base", "ft"] {
            let entry = try #require(samples["models"]?[model]?.arrayValue?.first)
            #expect(entry["prompt"]?.stringValue == "the old fox")
            #expect(entry["outputs"]?.arrayValue?.count == 2)
        }
        try rerunReportsProgressAndHonoursCancellation(run, expected: out)
    }

    /// The same stage called directly: the same bytes, one progress event per (model, data set) and per
    /// model's samples; and a run cancelled from its first progress event stops with `StageCancelled`.
    func rerunReportsProgressAndHonoursCancellation(_ run: TrainingPipeline, expected: URL) throws {
        let recipe = try RecipeLoader(projectRoot: run.project.root, modelFolders: ModelFolderPreflight())
            .load(recipeAt: run.project.root.appendingPathComponent("pipelines/p.yaml")).recipe
        let spec = StageSpecs.make(try #require(recipe.stage(named: "report")))
        let events = EventLog()
        func context(_ dir: String, cancelAfterFirstStep: Bool) throws -> StageContext {
            let work = run.project.root.appendingPathComponent(dir)
            return StageContext(
                key: String(repeating: "0", count: 64), outputDirectory: work.appendingPathComponent("out"),
                resumeDirectory: work.appendingPathComponent("resume"), projectRoot: run.project.root, storeRoot: run.project.store,
                upstreamOutputs: ["base": try run.output("base"), "ft": try run.output("ft")],
                report: { event in events.append(event) },
                isCancelled: { cancelAfterFirstStep && events.progressCount > 0 })
        }
        let again = try context("again", cancelAfterFirstStep: false)
        _ = try StageRegistry(recipe: recipe).run(spec, context: again)
        for file in ["metrics.json", "metrics.md", "samples.json"] {
            #expect(FileManager.default.contentsEqual(atPath: again.outputDirectory.appendingPathComponent(file).path,
                                                      andPath: expected.appendingPathComponent(file).path), "\(file)")
        }
        #expect(events.progressCount == 2 * 3 + 2)
        let cancelled = try context("cancelled", cancelAfterFirstStep: true)
        events.reset()
        #expect(throws: StageCancelled.self) { try StageRegistry(recipe: recipe).run(spec, context: cancelled) }
        #expect(events.progressCount == 1)
    }

    // A metric that does not apply to a data set's type (exact_match on completion text) is refused when the
    // recipe loads (KeysWithoutEffectTests); these are the problems only the stage can find.
    @Test(arguments: [
        ("{path: data/qa.jsonl, type: alpaca, choices: options, metrics: [accuracy]}", "qa.jsonl:1: `options` must be a non-empty list of strings"),
        ("{path: data/a.txt}, {path: data/a.txt, metrics: [loss]}", "give one of them a distinct `name:`"),
    ])
    func evaluateStageExplainsDataSetsItCannotScore(_ entries: String, _ message: String) throws {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", "some text\n")
        p.write("pipelines/data/qa.jsonl", "{\"instruction\": \"q\", \"input\": \"\", \"output\": \"a\"}\n")
        p.write("pipelines/hf/config.json", "{}\n")
        let url = p.write("pipelines/e.yaml", "name: e\nstages:\n  report: {kind: evaluate, models: [./hf], test_datasets: [\(entries)]}\n")
        let recipe = try RecipeLoader(projectRoot: p.root, modelFolders: ModelFolderPreflight()).load(recipeAt: url).recipe
        let spec = StageSpecs.make(try #require(recipe.stage(named: "report")))
        let context = StageContext(
            key: String(repeating: "0", count: 64), outputDirectory: p.root.appendingPathComponent("w/out"),
            resumeDirectory: p.root.appendingPathComponent("w/resume"), projectRoot: p.root, storeRoot: p.store,
            upstreamOutputs: [:], report: { _ in }, isCancelled: { false })
        do {
            _ = try StageRegistry(recipe: recipe).run(spec, context: context)
            Issue.record("the stage ran")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }

    @Test func metricsSchemaFileMatchesTheSwiftTypeAndRejectsBadValues() throws {
        let url = CommandRunner.packageRoot.appendingPathComponent("schemas/metrics.schema.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(text == EvaluationTable.schema().rendered(), "schemas/metrics.schema.json is stale: run `lathe schema metrics > schemas/metrics.schema.json`")
        let validator = SchemaValidator(schema: EvaluationTable.schema())
        var table = EvaluationTable()
        table.set(0.5, model: "ft", dataset: "data/qa.jsonl", metric: "exact_match")
        table.set(2.0, model: "ft", dataset: "data/qa.jsonl", metric: "loss")
        #expect(validator.validate(table.json()) == [])
        // significant-digit rounding, by hand
        #expect(EvaluationTable.rounded(18_302.420_24, significantDigits: 5) == 18_302)
        #expect(EvaluationTable.rounded(2.338_649, significantDigits: 5) == 2.3386)
        #expect(EvaluationTable.rounded(0.000_123_456_7, significantDigits: 3) == 0.000_123)
        #expect(EvaluationTable.rounded(0, significantDigits: 5) == 0)
        #expect(table.json().compact() == #"{"models":{"ft":{"data/qa.jsonl":{"exact_match":0.5,"loss":2}}}}"#
                || table.json().compact() == #"{"models":{"ft":{"data/qa.jsonl":{"exact_match":0.5,"loss":2.0}}}}"#)
        let bad: JSONValue = .object(["models": .object(["ft": .object(["qa": .object(["exact_match": .double(1.5), "bleu": .double(3)])])])])
        #expect(validator.validate(bad).count == 2)
        #expect(!validator.validate(.object(["model": .object([:])])).isEmpty)
    }
}

/// Thread-safe record of a stage's progress events.
final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func append(_ event: StageEvent) { if case .progress = event { lock.withLock { count += 1 } } }
    var progressCount: Int { lock.withLock { count } }
    func reset() { lock.withLock { count = 0 } }
}
