import Foundation
@testable import Orchestration
import Reporting
import Testing
import TestSupport

/// The collector on a hand-built store:
///
///     base (trained, logs) ─┬─ eval (metrics.json, samples.json)
///     lora (only in lock) ──┘
///     later (never run)
@Suite struct ReportCollectorTests {
    let project = TemporaryProject()
    var store: ArtifactStore { ArtifactStore(root: project.store) }

    static func key(_ c: Character) -> String { String(repeating: c, count: 64) }

    let graph = try! PipelineGraph([
        StageSpec(name: "base", kind: "pretrain-continue", params: ["from": "scratch"]),
        StageSpec(name: "lora", kind: "attach-adapters", params: ["lora_r": "8", "lora_alpha": "16", "lora_target_modules[0]": "c_attn"],
                  upstream: ["base"]),
        StageSpec(name: "eval", kind: "evaluate",
                  params: ["models[0]": "lora", "models[1]": "base", "test_datasets[0].path": "pipelines/data/z.jsonl",
                           "test_datasets[1].path": "pipelines/data/a.txt"],
                  upstream: ["base", "lora"]),
        StageSpec(name: "later", kind: "instruct", params: ["freeze_trainable_layers": "2"], upstream: ["base"]),
    ])

    /// Publishes an entry with the given `out/` files and returns its record.
    func publish(_ name: String, kind: String, key: String, files: [String: String], cost: [String: Double] = [:],
                 metrics: [String: Double] = [:]) throws -> StageRecord {
        let work = try store.makeWorkDirectory()
        for (path, text) in files {
            let url = work.appendingPathComponent("out/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        let draft = StageRecord(key: key, kind: kind, stage: name, params: [:], inputs: [:], upstream: [:], outputs: [:],
                                outputDigest: "", metrics: metrics, cost: cost)
        return try store.publish(work: work, record: draft)
    }

    func populated() throws -> LockFile {
        let base = try publish("base", kind: "pretrain-continue", key: Self.key("a"), files: [
            "logs/metrics.jsonl": """
                {"step":20,"loss":3.5}
                not json
                {"step":10,"loss":4.0,"val_loss":4.2}
                {"step":30,"loss":3.0,"val_loss":3.4}

                """,
            "logs/summary.json": #"{"kind":"pretrain-continue","wall_s":9.5,"peak_rss_mib":88.0,"stopped_early":true,"steps":30}"#,
        ], cost: ["trainable_params": 1000, "total_params": 1000, "tokens": 3840, "flops": 2.3e7, "wall_s": 10.25],
           metrics: ["train_loss": 3.0, "val_loss": 3.4])
        let eval = try publish("eval", kind: "evaluate", key: Self.key("c"), files: [
            "metrics.json": """
                {"models": {"base": {"pipelines/data/a.txt": {"perplexity": 30.5, "loss": 3.4},
                                     "pipelines/data/z.jsonl": {"exact_match": 0.1, "note": "text"}},
                            "lora": {"pipelines/data/z.jsonl": {"exact_match": 0.5}},
                            "extra": {"pipelines/data/z.jsonl": {"exact_match": 0.2}}}}
                """,
            "samples.json": #"{"models": {"lora": [{"prompt": "Hi", "output": "Hello"}], "base": [{"prompt": "Hi", "completion": ["x", "y"]}]}}"#,
        ])
        let lora = StageRecord(key: Self.key("b"), kind: "attach-adapters", stage: "lora", params: [:], inputs: [:], upstream: [:],
                               outputs: [:], outputDigest: Self.key("0"), metrics: ["val_loss": 2.0],
                               cost: ["trainable_params": 24, "total_params": 1024, "wall_s": 3])
        return LockFile(recipe: "r", stages: ["base": base, "eval": eval, "lora": lora])
    }

    @Test func everyStageGetsAStatusAndUnrunStagesAreNotErrors() throws {
        let lock = try populated()
        let data = ReportCollector(store: store).collect(recipe: "r", graph: graph, lock: lock, plan: nil)
        #expect(data.stages.map(\.name) == ["base", "lora", "eval", "later"])
        let status = Dictionary(uniqueKeysWithValues: data.stages.map { ($0.name, $0.status) })
        #expect(status["lora"] == .notInStore)
        #expect(status["later"] == .notRun)
        // Without a plan, stored results are shown but not claimed to be current.
        guard case .outdated(let why) = status["base"] else { Issue.record("base: \(String(describing: status["base"]))"); return }
        #expect(why.contains("not checked"))
        // The lock file's cost is used when the store lacks the entry.
        #expect(data.stages[1].cost.trainableFraction == 24.0 / 1024)
        #expect(data.stages[1].curve.isEmpty)
    }

    @Test func planDecidesWhichResultsAreUpToDate() throws {
        let lock = try populated()
        let base = lock.stages["base"]!
        let plan = [
            Planner.PlannedStage(name: "base", action: .upToDate, key: base.key, record: base),
            Planner.PlannedStage(name: "lora", action: .run(.resultAbsent), key: Self.key("b"), record: nil),
            Planner.PlannedStage(name: "eval", action: .pendingUpstream("lora"), key: nil, record: nil),
            Planner.PlannedStage(name: "later", action: .run(.neverRun), key: nil, record: nil),
        ]
        let data = ReportCollector(store: store).collect(recipe: "r", graph: graph, lock: lock, plan: plan)
        #expect(data.stages[0].status == .upToDate)
        #expect(data.stages[2].status == .outdated("upstream 'lora' must run first, and this stage may then rerun"))
        #expect(data.stages[3].status == .notRun)
    }

    @Test func costAndCurveComeFromTheRecordAndLogs() throws {
        let data = ReportCollector(store: store).collect(recipe: "r", graph: graph, lock: try populated(), plan: nil)
        let base = data.stages[0]
        // The record's wall time wins over summary.json's; summary.json fills what the record lacks.
        #expect(base.cost.wallSeconds == 10.25)
        #expect(base.cost.peakMemoryMiB == 88)
        #expect(base.cost.steps == 30)
        #expect(base.cost.stoppedEarly)
        #expect(base.cost.valLoss == 3.4)
        // Sorted by step, the bad line skipped and reported.
        #expect(base.curve == [CurvePoint(step: 10, loss: 4.0, valLoss: 4.2), CurvePoint(step: 20, loss: 3.5),
                               CurvePoint(step: 30, loss: 3.0, valLoss: 3.4)])
        #expect(data.notes.count == 1)
        #expect(data.notes.first?.contains("skipped 1 line") == true)
        #expect(base.methodDetail == "from scratch")
        #expect(data.stages[1].methodDetail == "LoRA r=8, α=16 on c_attn")
        #expect(data.stages[3].methodDetail == "last 2 blocks trained")
    }

    @Test func evaluationTablesFollowTheRecipesModelAndDatasetOrder() throws {
        let data = ReportCollector(store: store).collect(recipe: "r", graph: graph, lock: try populated(), plan: nil)
        let evaluation = try #require(data.evaluations.first)
        #expect(evaluation.stage == "eval")
        #expect(evaluation.tables.map(\.dataset) == ["pipelines/data/z.jsonl", "pipelines/data/a.txt"])
        let qa = evaluation.tables[0]
        // Recipe order (lora, base), then models the recipe does not list, sorted.
        #expect(qa.models == ["lora", "base", "extra"])
        #expect(qa.metrics == ["exact_match"], "the non-numeric 'note' is skipped")
        #expect(qa.values == [[0.5], [0.1], [0.2]])
        let general = evaluation.tables[1]
        #expect(general.models == ["base"])
        #expect(general.metrics == ["loss", "perplexity"])
        #expect(evaluation.samples == [
            .init(model: "base", prompt: "Hi", output: "x"), .init(model: "base", prompt: "Hi", output: "y"),
            .init(model: "lora", prompt: "Hi", output: "Hello"),
        ])
    }

    @Test func malformedMetricsBecomeANoteNotAFailure() throws {
        let eval = try publish("eval", kind: "evaluate", key: Self.key("d"), files: ["metrics.json": #"{"base": 1}"#])
        let data = ReportCollector(store: store).collect(recipe: "r", graph: graph, lock: LockFile(recipe: "r", stages: ["eval": eval]), plan: nil)
        #expect(data.evaluations.isEmpty)
        #expect(data.notes.count == 1)
        #expect(data.notes.first?.contains("expected {\"models\"") == true)
    }
}
