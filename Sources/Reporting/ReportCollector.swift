import JSONText
import Foundation
public import Orchestration

/// Gathers a ``ReportData`` from the recipe's graph, its lock file, the planner's view and the
/// store. Reads only; a stage without a result is "not run yet", and an unreadable log becomes a
/// note in the report rather than an error, so a report can always be made.
///
/// Per stage it reads the cost record (manifest, else lock entry), then from the stage's `out/`:
/// `logs/summary.json` (fills cost figures the record lacks), `logs/metrics.jsonl` (the loss
/// curve) and, for evaluate stages, `metrics.json` and `samples.json`.
public struct ReportCollector: Sendable {
    public let store: ArtifactStore

    public init(store: ArtifactStore) { self.store = store }

    /// - Parameters:
    ///   - recipe: the recipe's name.
    ///   - graph: the recipe's stages.
    ///   - lock: the recipe's lock file (records of the last run).
    ///   - plan: the planner's decisions now, or nil when they could not be made (inputs
    ///     unreadable); stored results are then shown as not checked.
    public func collect(recipe: String, graph: PipelineGraph, lock: LockFile, plan: [Planner.PlannedStage]?) -> ReportData {
        var notes: [String] = []
        var stages: [StageReport] = []
        var evaluations: [EvaluationReport] = []
        let planned = Dictionary((plan ?? []).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for spec in graph.stages {
            let (status, record) = resolve(planned: planned[spec.name], lockEntry: lock.stages[spec.name], checked: plan != nil)
            var stage = StageReport(name: spec.name, kind: spec.kind, methodDetail: ReportCollector.methodDetail(spec),
                                    upstream: spec.upstream, status: status)
            if let record {
                stage.cost = ReportCollector.cost(record)
                if status != .notInStore {
                    let out = store.outputDirectory(record.key)
                    if record.outputs["logs/summary.json"] != nil {
                        readSummary(out.appendingPathComponent("logs/summary.json"), into: &stage.cost, notes: &notes)
                    }
                    if record.outputs["logs/metrics.jsonl"] != nil {
                        stage.curve = readCurve(out.appendingPathComponent("logs/metrics.jsonl"), notes: &notes)
                    }
                    if spec.kind == "evaluate", record.outputs["metrics.json"] != nil,
                       let evaluation = readEvaluation(spec, out: out, record: record, notes: &notes) {
                        evaluations.append(evaluation)
                    }
                }
            }
            stages.append(stage)
        }
        return ReportData(recipe: recipe, stages: stages, evaluations: evaluations, notes: notes)
    }

    /// Which result to show: the one matching the recipe now, else the lock file's last one.
    func resolve(planned: Planner.PlannedStage?, lockEntry: StageRecord?, checked: Bool)
        -> (StageReport.Status, StageRecord?)
    {
        if let record = planned?.record { return (.upToDate, record) }
        guard let lockEntry else { return (.notRun, nil) }
        guard case .present(let record) = store.state(of: lockEntry.key) else { return (.notInStore, lockEntry) }
        let why = checked ? ReportCollector.outdatedReason(planned?.action)
            : "whether it is current was not checked (the recipe's inputs could not be read)"
        return (.outdated(why), record)
    }

    /// Why a stored result no longer matches the recipe, as a clause.
    static func outdatedReason(_ action: StageAction?) -> String {
        switch action {
        case .run(let reason)?: "a run now would redo it: \(reason)"
        case .pendingUpstream(let upstream)?: "upstream '\(upstream)' must run first, and this stage may then rerun"
        case let other?: "the planner says: \(other)"
        case nil: "the planner did not consider it"
        }
    }

    /// Cost figures from a stage record (manifest or lock entry): `cost` and headline `metrics`.
    static func cost(_ record: StageRecord) -> StageCost {
        let c = record.cost
        return StageCost(
            trainableParams: c["trainable_params"], totalParams: c["total_params"], tokens: c["tokens"], flops: c["flops"],
            wallSeconds: c["wall_s"], peakMemoryMiB: c["peak_rss_mib"], steps: c["steps"],
            trainLoss: record.metrics["train_loss"], valLoss: record.metrics["val_loss"])
    }

    /// Fills figures the record lacks from `logs/summary.json` (same field names, plus `stopped_early`).
    func readSummary(_ url: URL, into cost: inout StageCost, notes: inout [String]) {
        guard let json = readJSON(url, notes: &notes) else { return }
        func fill(_ field: inout Double?, _ key: String) { if field == nil { field = json[key]?.doubleValue } }
        fill(&cost.trainableParams, "trainable_params")
        fill(&cost.totalParams, "total_params")
        fill(&cost.tokens, "tokens")
        fill(&cost.flops, "flops")
        fill(&cost.wallSeconds, "wall_s")
        fill(&cost.peakMemoryMiB, "peak_rss_mib")
        fill(&cost.steps, "steps")
        fill(&cost.trainLoss, "train_loss")
        fill(&cost.valLoss, "val_loss")
        if case .bool(true) = json["stopped_early"] { cost.stoppedEarly = true }
    }

    /// `logs/metrics.jsonl`: one object per logged step; lines without a `step` are skipped with a note.
    func readCurve(_ url: URL, notes: inout [String]) -> [CurvePoint] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            notes.append("\(url.path) could not be read; its loss curve is missing.")
            return []
        }
        var points: [CurvePoint] = []
        var bad = 0
        for line in text.split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            guard let json = try? JSONValue.parse(String(line)), let step = json["step"]?.intValue else { bad += 1; continue }
            points.append(CurvePoint(step: step, loss: json["loss"]?.doubleValue, valLoss: json["val_loss"]?.doubleValue))
        }
        if bad > 0 { notes.append("\(url.path): skipped \(bad) line\(bad == 1 ? "" : "s") that are not JSON objects with a 'step'.") }
        // A stable sort keeps a resumed log's order if steps repeat.
        return points.enumerated().sorted { ($0.element.step, $0.offset) < ($1.element.step, $1.offset) }.map(\.element)
    }

    func readJSON(_ url: URL, notes: inout [String]) -> JSONValue? {
        guard let data = try? Data(contentsOf: url) else {
            notes.append("\(url.path) could not be read.")
            return nil
        }
        do { return try JSONValue.parse(data) } catch {
            notes.append("\(url.path): \(error).")
            return nil
        }
    }

    /// One-line description of what distinguishes the method beyond its kind, from its params.
    static func methodDetail(_ spec: StageSpec) -> String {
        let p = spec.params
        var parts: [String] = []
        if p["from"] == "scratch" { parts.append("from scratch") }
        if let r = p["lora_r"] {
            var lora = "LoRA r=\(r)"
            if let alpha = p["lora_alpha"] { lora += ", α=\(alpha)" }
            if p["peft_use_rslora"] == "true" { lora += ", rsLoRA" }
            let targets = indexed(p, "lora_target_modules")
            if p["lora_target_linear"] == "true" { lora += " on all linear" } else if !targets.isEmpty { lora += " on " + targets.joined(separator: ", ") }
            parts.append(lora)
        }
        if let n = p["freeze_trainable_layers"].flatMap(Int.init), n != 0 {
            parts.append(n > 0 ? "last \(n) block\(n == 1 ? "" : "s") trained" : "first \(-n) block\(n == -1 ? "" : "s") trained")
        }
        if !indexed(p, "unfrozen_parameters").isEmpty { parts.append("selected parameters") }
        if spec.kind == "tokenize", let v = p["vocab_size"] { parts.append("vocab \(v)") }
        if spec.kind == "evaluate" {
            let models = indexed(p, "models").count
            if models > 0 { parts.append("\(models) model\(models == 1 ? "" : "s")") }
        }
        return parts.joined(separator: "; ")
    }

    /// Values of a flattened list param (`key[0]`, `key[1]`, …) in index order.
    static func indexed(_ params: [String: String], _ key: String) -> [String] {
        var values: [String] = []
        while let v = params["\(key)[\(values.count)]"] { values.append(v) }
        return values
    }
}
