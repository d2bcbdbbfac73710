import Datasets
import Foundation
import JSONText
import Recipes

/// One `test_datasets:` entry of an evaluate stage, read once and scored on every model.
///
/// Default metrics (when neither the entry nor the stage's `eval_metrics` names any): completion
/// text → perplexity; instruction records and conversations (`chat`, `sharegpt`) → loss, exact_match,
/// token_f1. A `role: forgetting` entry
/// always gets `forgetting` (and the perplexity it is computed from). Metrics the stage lists for
/// every data set are kept only where they apply (no generation metrics on plain text); metrics an
/// entry lists itself must apply, or the stage fails saying which.
struct EvaluationDataset {
    let spec: EvalDatasetSpec
    /// The records as read without a chat template (empty for `chat` / `sharegpt`, which need one).
    let examples: [Example]
    /// The checked conversations of `chat`, `sharegpt`, `alpaca` and `dolly` data, rendered per model
    /// by ``scored(with:)`` when a chat template applies; nil for other types.
    let conversations: [HeldOutConversation]?
    /// Answer options per example (same order), when the entry names a `choices` field.
    let choices: [[String]]?
    let metrics: [EvalMetric]
    /// `type: classification`: the labelled records (texts and labels), scored by a classifier's head.
    let records: [LabeledText]?

    var label: String { spec.label }
    var isInstruction: Bool { [.alpaca, .dolly, .inputOutput, .chat, .sharegpt].contains(spec.type) }
    /// `chat` / `sharegpt`: scored only through a chat template (the stage's, else each model's own).
    var needsTemplate: Bool { spec.type == .chat || spec.type == .sharegpt }

    init(_ spec: EvalDatasetSpec, stageMetrics: [EvalMetric]?, root: URL, maxSamples: Int?) throws {
        self.spec = spec
        let source = DatasetBridge.spec(spec.source, root: root, maxSamples: maxSamples)
        let conversationTypes: [DatasetType] = [.chat, .sharegpt, .alpaca, .dolly]
        conversations = conversationTypes.contains(spec.type) ? try DatasetReader.heldOutConversations(source) : nil
        examples = spec.type == .chat || spec.type == .sharegpt ? [] : try DatasetReader.examples(source)
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
        let instruction = [.alpaca, .dolly, .inputOutput, .chat, .sharegpt].contains(spec.type)
        let generationMetrics: Set<EvalMetric> = [.exactMatch, .tokenF1, .accuracy]
        var metrics: [EvalMetric]
        if let own = spec.metrics {
            if !instruction, let bad = own.first(where: generationMetrics.contains) {
                throw StageError.invalidInput("test dataset \(spec.path) is '\(spec.type.rawValue)' text, so '\(bad.rawValue)' (which compares generated answers with reference outputs) does not apply. Use loss or perplexity, or an instruction or conversation format (alpaca, dolly, input_output, chat, sharegpt).")
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
            choices = try Self.choiceLists(source, field: field, count: conversations?.count ?? examples.count)
        } else {
            choices = nil
        }
    }

    /// The records as one model scores them: the examples the loss is measured on, the prompt each
    /// answer is generated from and the reference it is compared with (same order).
    ///
    /// With `template` (the evaluate stage's `chat_template`, or the model's own for chat data) every
    /// record is rendered as training renders it (loss on every assistant turn and its end-of-turn
    /// token), and its prompt is the messages before the last assistant turn with the generation
    /// prompt, so the metric sees exactly the prefix training conditioned the answer on. Without one,
    /// alpaca/dolly/input_output records use their fixed prompt and trained segments.
    func scored(with template: ChatTemplate?) throws -> (examples: [Example], prompts: [Example], references: [String]) {
        if let template, let conversations {
            return (conversations.map { $0.example(template) }, conversations.map { $0.prompt(template) }, conversations.map(\.reference))
        }
        guard !needsTemplate else {
            throw StageError.invalidInput("test dataset \(spec.path) is '\(spec.type.rawValue)' data, which is scored through a chat template; set `chat_template:` on the evaluate stage.")
        }
        return (examples, examples, examples.map(ModelScorer.reference))
    }

    /// The `field` list of each of the first `count` records of `source` (a JSON array or JSON Lines file,
    /// blank lines skipped), in file order.
    /// - Throws: ``StageError/invalidInput(_:)`` naming the record whose `field` is not a non-empty list of
    ///   strings; ``DatasetError`` for an unreadable file or a record that is not a JSON object.
    static func choiceLists(_ source: Datasets.DatasetSpec, field: String, count: Int) throws -> [[String]] {
        var whole = source
        whole.recordLimit = nil  // the first `count` records may lie past the preflight's prefix
        return try DatasetRecord.read(source.path, whole).prefix(count).map { record in
            let items = record.object[field]?.arrayValue ?? []
            let list = items.compactMap(\.stringValue)
            guard !list.isEmpty, list.count == items.count else {
                throw StageError.invalidInput("\(record.location): `\(field)` must be a non-empty list of strings (the answer options), as the test dataset's `choices: \(field)` says.")
            }
            return list
        }
    }
}
