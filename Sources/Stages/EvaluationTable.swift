public import JSONText
import Foundation
import Orchestration

/// What an evaluate stage measured: a value per (model, data set, metric), with models and data sets
/// in recipe order. Renders `metrics.json`, `metrics.md` and the lock file's headline metrics.
///
/// `metrics.json` is exactly `{"models": {MODEL: {DATASET: {METRIC: value}}}}` (``schema()``):
/// MODEL is the stage name or model path as listed in `models:`, DATASET the entry's `name` or else
/// its path, METRIC one of ``metricNames``. Ratios (exact_match, token_f1, accuracy) are in [0, 1].
public struct EvaluationTable: Sendable, Equatable {
    /// Every metric key metrics.json may hold: `loss` (mean nats per scored token), `perplexity`
    /// (exp(loss)), `exact_match`, `token_f1`, `accuracy`, and for `forgetting` the perplexity ratio
    /// and difference against the first model listed (`forgetting_ratio` = ppl / ppl_first,
    /// `forgetting_delta` = ppl − ppl_first; the first model has 1 and 0).
    public static let metricNames = ["loss", "perplexity", "exact_match", "token_f1", "accuracy", "majority_baseline", "macro_f1",
                                     "forgetting_ratio", "forgetting_delta"]

    public private(set) var models: [String] = []
    public private(set) var datasets: [String] = []
    /// model → data set → metric → value.
    public private(set) var values: [String: [String: [String: Double]]] = [:]

    public init() {}

    /// Records a value (rounded to 6 significant digits, so files stay readable and the last-bit
    /// differences of BLAS reductions across thread counts do not show); first use of a model or data
    /// set fixes its position.
    public mutating func set(_ value: Double, model: String, dataset: String, metric: String) {
        if !models.contains(model) { models.append(model) }
        if !datasets.contains(dataset) { datasets.append(dataset) }
        values[model, default: [:]][dataset, default: [:]][metric] = Self.rounded(value, significantDigits: 6)
    }

    public func value(model: String, dataset: String, metric: String) -> Double? { values[model]?[dataset]?[metric] }

    /// The metrics.json document.
    public func json() -> JSONValue {
        .object(["models": .object(JSONObject(values.mapValues { datasets in
            .object(JSONObject(datasets.mapValues { metrics in .object(JSONObject(metrics.mapValues { .double($0) })) }))
        }))])
    }

    /// Headline metrics for the lock file, keyed `MODEL/DATASET/METRIC` and rounded to 5 significant digits,
    /// so `git diff` on the lock shows what a change did to quality. Kept small: `loss` only when
    /// `perplexity` is not also measured, and `forgetting_delta` left out (the ratio carries it).
    public func headline() -> [String: Double] {
        var out: [String: Double] = [:]
        for (model, byDataset) in values {
            for (dataset, metrics) in byDataset {
                for (metric, value) in metrics {
                    if metric == "forgetting_delta" || (metric == "loss" && metrics["perplexity"] != nil) { continue }
                    // per-class precision/recall and confusion counts stay in metrics.json
                    if metric.contains(":") { continue }
                    out["\(model)/\(dataset)/\(metric)"] = Self.rounded(value, significantDigits: 5)
                }
            }
        }
        return out
    }

    /// One Markdown table per data set, models as rows in recipe order, metrics as columns.
    public func markdown() -> String {
        var out = "# Evaluation\n"
        for dataset in datasets {
            let present = Self.metricNames.filter { m in models.contains { values[$0]?[dataset]?[m] != nil } }
            out += "\n## \(dataset)\n\n| model | " + present.joined(separator: " | ") + " |\n"
            out += "|---|" + present.map { _ in "---:" }.joined(separator: "|") + "|\n"
            for model in models {
                let cells = present.map { m in values[model]?[dataset]?[m].map(Self.format) ?? "—" }
                out += "| \(model) | " + cells.joined(separator: " | ") + " |\n"
            }
            for model in models { out += confusionMarkdown(model: model, dataset: dataset) }
        }
        return out
    }

    /// A classifier's confusion matrix on `dataset` (rows: true label, columns: predicted) with per-label
    /// precision and recall, or "" when the pair has none.
    func confusionMarkdown(model: String, dataset: String) -> String {
        guard let metrics = values[model]?[dataset] else { return "" }
        let labels = metrics.keys.filter { $0.hasPrefix("recall:") }.map { String($0.dropFirst("recall:".count)) }.sorted()
        guard !labels.isEmpty else { return "" }
        var out = "\n**\(model)**: confusion (rows true, columns predicted)\n\n| true \\ predicted | "
            + labels.joined(separator: " | ") + " | recall | precision |\n|---|" + labels.map { _ in "---:" }.joined(separator: "|") + "|---:|---:|\n"
        for t in labels {
            let counts = labels.map { p in metrics["confusion:\(t):\(p)"].map { String(Int($0)) } ?? "—" }
            out += "| \(t) | " + counts.joined(separator: " | ") + " | " + (metrics["recall:\(t)"].map(Self.format) ?? "—") + " | "
                + (metrics["precision:\(t)"].map(Self.format) ?? "—") + " |\n"
        }
        return out
    }

    /// `x` rounded to `significantDigits` significant decimal digits (0 and non-finite values unchanged).
    public static func rounded(_ x: Double, significantDigits: Int) -> Double {
        guard x != 0, x.isFinite else { return x }
        let exponent = Int(Foundation.log10(abs(x)).rounded(.down))
        let shift = significantDigits - 1 - exponent
        let scale = Foundation.pow(10, Double(abs(shift)))
        return shift >= 0 ? (x * scale).rounded() / scale : (x / scale).rounded() * scale
    }

    static func format(_ x: Double) -> String { String(format: abs(x) >= 1000 ? "%.1f" : "%.4f", x) }

    /// JSON Schema (draft 2020-12) of metrics.json; `lathe schema metrics` prints it and a test holds
    /// `schemas/metrics.schema.json` equal to it.
    public static func schema() -> JSONValue {
        func number(_ description: String, min: Double? = nil, max: Double? = nil) -> JSONValue {
            var o: [String: JSONValue] = ["type": .string("number"), "description": .string(description)]
            if let min { o["minimum"] = .double(min) }
            if let max { o["maximum"] = .double(max) }
            return .object(JSONObject(o))
        }
        let metrics: [String: JSONValue] = [
            "loss": number("Mean next-token loss in nats over the scored tokens (completion: all; instruction: response + EOS).", min: 0),
            "perplexity": number("exp(loss).", min: 1),
            "exact_match": number("Fraction of records whose greedy answer equals the reference after whitespace normalisation.", min: 0, max: 1),
            "token_f1": number("Mean SQuAD-style token F1 of the greedy answer against the reference.", min: 0, max: 1),
            "accuracy": number("Fraction of records answered with the right label, or the right choice by log-likelihood.", min: 0, max: 1),
            "forgetting_ratio": number("Perplexity divided by the first listed model's perplexity on this data set.", min: 0),
            "forgetting_delta": number("Perplexity minus the first listed model's perplexity on this data set."),
            "macro_f1": number("Classification: F1 averaged over the model's labels (0 for a label never predicted or absent).", min: 0, max: 1),
            "majority_baseline": number("Classification: the share of the test set's most frequent label, the accuracy of always answering it.", min: 0, max: 1),
        ]
        let perDataset: JSONValue = .object([
            "type": .string("object"),
            "description": .string("Metric values of one model on one data set."),
            "additionalProperties": .bool(false),
            "properties": .object(JSONObject(metrics)),
            "patternProperties": .object([
                "^(precision|recall):": number("Classification: precision or recall of the label after the colon.", min: 0, max: 1),
                "^confusion:": number("Classification: records of true label TRUE predicted as PREDICTED (confusion:TRUE:PREDICTED).", min: 0),
            ]),
        ])
        return .object([
            "$schema": .string("https://json-schema.org/draft/2020-12/schema"),
            "$id": .string("https://lathe.dev/schemas/metrics.schema.json"),
            "title": .string("Lathe evaluate stage metrics.json"),
            "type": .string("object"),
            "required": .array([.string("models")]),
            "additionalProperties": .bool(false),
            "properties": .object([
                "models": .object([
                    "type": .string("object"),
                    "description": .string("By model (stage name or model path as listed in `models:`), then by data set (`name`, else path)."),
                    "additionalProperties": .object([
                        "type": .string("object"),
                        "additionalProperties": perDataset,
                    ]),
                ]),
            ]),
        ])
    }
}
