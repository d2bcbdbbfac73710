import JSONText
import Foundation
import Orchestration

/// Reading an evaluate stage's `metrics.json` and `samples.json`.
extension ReportCollector {
    /// At most this many samples per evaluate stage reach the report (it stays readable).
    static let sampleLimit = 60
    /// Longer sample texts are cut, with an ellipsis.
    static let sampleCharacters = 2000

    /// `metrics.json` shaped `{"models": {MODEL: {DATASET: {METRIC: value}}}}` into one table per
    /// dataset. Models and datasets follow the recipe's `models:` / `test_datasets:` order, others
    /// come after, sorted; metrics follow ``MetricStyle/ordered(_:)``. Non-numeric values are skipped.
    func readEvaluation(_ spec: StageSpec, out: URL, record: StageRecord, notes: inout [String]) -> EvaluationReport? {
        let url = out.appendingPathComponent("metrics.json")
        guard let json = readJSON(url, notes: &notes) else { return nil }
        guard let models = json["models"]?.objectValue else {
            notes.append("\(url.path): expected {\"models\": {MODEL: {DATASET: {METRIC: value}}}}; its metrics are not shown.")
            return nil
        }
        let modelOrder = ReportCollector.ordered(Array(models.keys), by: ReportCollector.indexed(spec.params, "models"))
        var datasetNames: Set<String> = []
        var values: [String: [String: [String: Double]]] = [:]  // dataset → model → metric → value
        for (model, byDataset) in models {
            for (dataset, byMetric) in byDataset.objectValue ?? [:] {
                datasetNames.insert(dataset)
                for (metric, value) in byMetric.objectValue ?? [:] {
                    if let v = value.doubleValue { values[dataset, default: [:]][model, default: [:]][metric] = v }
                }
            }
        }
        var recipeDatasets: [String] = []
        while let path = spec.params["test_datasets[\(recipeDatasets.count)].path"] { recipeDatasets.append(path) }
        var tables: [EvaluationReport.Table] = []
        for dataset in ReportCollector.ordered(Array(datasetNames), by: recipeDatasets) {
            let byModel = values[dataset] ?? [:]
            let metrics = MetricStyle.ordered(byModel.values.flatMap(\.keys))
            let rows = modelOrder.filter { byModel[$0] != nil }
            guard !metrics.isEmpty else { continue }
            tables.append(.init(dataset: dataset, metrics: metrics, models: rows,
                                values: rows.map { m in metrics.map { byModel[m]?[$0] } }))
        }
        var samples: [EvaluationReport.Sample] = []
        if record.outputs["samples.json"] != nil, let json = readJSON(out.appendingPathComponent("samples.json"), notes: &notes) {
            ReportCollector.collectSamples(json, model: nil, into: &samples)
            samples = Array(samples.prefix(ReportCollector.sampleLimit))
        }
        return EvaluationReport(stage: spec.name, tables: tables, samples: samples)
    }

    /// `names` with those listed in `preferred` first (in that order), the rest sorted.
    static func ordered(_ names: [String], by preferred: [String]) -> [String] {
        let present = Set(names)
        var seen: Set<String> = []
        let first = preferred.filter { present.contains($0) && seen.insert($0).inserted }
        return first + names.filter { !seen.contains($0) }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Accepts the shapes an evaluate stage may write: `{"models": {MODEL: [SAMPLE…]}}`,
    /// `{"samples": [SAMPLE…]}`, `{MODEL: [SAMPLE…]}` or `[SAMPLE…]`, where a sample is an object
    /// with `prompt` and one of `outputs` (what the evaluate stage writes) / `output` / `completion` / `generation` / `text` (a string or a list
    /// of strings), and optionally `model`.
    static func collectSamples(_ json: JSONValue, model: String?, into samples: inout [EvaluationReport.Sample]) {
        guard samples.count < sampleLimit else { return }
        switch json {
        case .array(let items):
            for item in items {
                if let object = item.objectValue, object["prompt"] != nil {
                    let name = object["model"]?.stringValue ?? model ?? "model"
                    let prompt = clip(object["prompt"]?.stringValue ?? "")
                    let output = ["outputs", "output", "completion", "generation", "text", "response"].lazy.compactMap { object[$0] }.first
                    let texts = output?.stringValue.map { [$0] } ?? output?.arrayValue?.compactMap(\.stringValue) ?? []
                    for text in texts where samples.count < sampleLimit {
                        samples.append(.init(model: name, prompt: prompt, output: clip(text)))
                    }
                } else {
                    collectSamples(item, model: model, into: &samples)
                }
            }
        case .object(let members):
            if let inner = members["models"] ?? members["samples"] {
                collectSamples(inner, model: model, into: &samples)
                return
            }
            for key in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                collectSamples(members[key]!, model: key, into: &samples)
            }
        default:
            break
        }
    }

    static func clip(_ s: String) -> String { Markup.truncate(s, sampleCharacters) }
}
