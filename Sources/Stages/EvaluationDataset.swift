import Datasets
import Foundation
import Recipes

/// One `test_datasets:` entry of an evaluate stage, read once and scored on every model.
///
/// Default metrics (when neither the entry nor the stage's `eval_metrics` names any): completion
/// text → perplexity; instruction records → loss, exact_match, token_f1. A `role: forgetting` entry
/// always gets `forgetting` (and the perplexity it is computed from). Metrics the stage lists for
/// every data set are kept only where they apply (no generation metrics on plain text); metrics an
/// entry lists itself must apply, or the stage fails saying which.
struct EvaluationDataset {
    let spec: EvalDatasetSpec
    let examples: [Example]
    /// Answer options per example (same order), when the entry names a `choices` field.
    let choices: [[String]]?
    let metrics: [EvalMetric]
    /// `type: classification`: the labelled records (texts and labels), scored by a classifier's head.
    let records: [LabeledText]?

    var label: String { spec.label }
    var isInstruction: Bool { [.alpaca, .dolly, .inputOutput].contains(spec.type) }

    init(_ spec: EvalDatasetSpec, stageMetrics: [EvalMetric]?, root: URL, maxSamples: Int?) throws {
        self.spec = spec
        let source = DatasetBridge.spec(spec.source, root: root, maxSamples: maxSamples)
        examples = try DatasetReader.examples(source)
        if spec.type == .classification {
            records = try ClassificationReader.read(source).records
            let allowed: Set<EvalMetric> = [.accuracy, .macroF1]
            if let bad = (spec.metrics ?? []).first(where: { !allowed.contains($0) }) {
                throw StageError.invalidInput("test dataset \(spec.path) is classification data, so '\(bad.rawValue)' does not apply. Use accuracy and macro_f1 (the majority baseline, per-class precision/recall and the confusion matrix come with them).")
            }
            metrics = spec.metrics ?? stageMetrics.map { $0.filter(allowed.contains) }.flatMap { $0.isEmpty ? nil : $0 } ?? [.accuracy, .macroF1]
            choices = nil
            return
        }
        records = nil
        let instruction = [.alpaca, .dolly, .inputOutput].contains(spec.type)
        let generationMetrics: Set<EvalMetric> = [.exactMatch, .tokenF1, .accuracy]
        var metrics: [EvalMetric]
        if let own = spec.metrics {
            if !instruction, let bad = own.first(where: generationMetrics.contains) {
                throw StageError.invalidInput("test dataset \(spec.path) is '\(spec.type.rawValue)' text, so '\(bad.rawValue)' (which compares generated answers with reference outputs) does not apply. Use loss or perplexity, or an instruction format (alpaca, dolly, input_output).")
            }
            metrics = own
        } else if let shared = stageMetrics {
            metrics = instruction ? shared : shared.filter { !generationMetrics.contains($0) }
            if metrics.isEmpty { metrics = [.perplexity] }
        } else {
            metrics = instruction ? [.loss, .exactMatch, .tokenF1] : [.perplexity]
        }
        if spec.role == .forgetting && !metrics.contains(.forgetting) { metrics.append(.forgetting) }
        if metrics.contains(.forgetting) && !metrics.contains(.perplexity) { metrics.insert(.perplexity, at: 0) }
        self.metrics = metrics
        if let field = spec.choices {
            guard instruction else {
                throw StageError.invalidInput("test dataset \(spec.path) sets `choices` but is '\(spec.type.rawValue)' text; multiple-choice records need an instruction format whose output is the right choice.")
            }
            choices = try Self.choiceLists(source.path, field: field, count: examples.count)
        } else {
            choices = nil
        }
    }

    /// The `field` list of each record of a JSON array or JSON Lines file, in file order (blank lines
    /// skipped, as the dataset reader does), the first `count` records.
    static func choiceLists(_ url: URL, field: String, count: Int) throws -> [[String]] {
        let data = try Data(contentsOf: url)
        let firstByte = data.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        var records: [(Any, String)] = []
        if firstByte == UInt8(ascii: "[") {
            let array = try JSONSerialization.jsonObject(with: data) as? [Any] ?? []
            records = array.enumerated().map { ($1, "\(url.path)#\($0 + 1)") }
        } else {
            for (n, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where records.count < count {
                guard line.contains(where: { ![0x20, 0x09, 0x0D].contains($0) }) else { continue }
                records.append((try JSONSerialization.jsonObject(with: Data(line)), "\(url.path):\(n + 1)"))
            }
        }
        return try records.prefix(count).map { record, location in
            guard let list = (record as? [String: Any])?[field] as? [String], !list.isEmpty else {
                throw StageError.invalidInput("\(location): `\(field)` must be a non-empty list of strings (the answer options), as the test dataset's `choices: \(field)` says.")
            }
            return list
        }
    }
}
