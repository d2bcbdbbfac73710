import Compute
import Datasets
public import Foundation
import Modeling
public import Recipes
import Tokenization

/// A classify stage's data: records read and checked, labels fixed, texts tokenized and truncated,
/// laid out as one right-padded engine row per record (`TrainingData.classification`).
public struct ClassificationInputs {
    let labels: ClassLabels
    let train: TrainingData
    let validation: TrainingData?
    let sequenceLength: Int
    /// Texts cut to `sequenceLength` tokens (training and validation together).
    let truncated: Int

    /// Reads `p`'s datasets (validation from `test_datasets`, else a seeded `val_set_size` split).
    /// - Throws: `DatasetError` naming the file and record for bad records, one class only, a declared
    ///   label missing from `labels:`, a validation label the training data never has; `StageError`
    ///   when the data is larger than the model can take.
    init(_ p: ClassifyParams, tokenizer: ClassifierTokenizer, config: GPTConfig, root: URL, report: (String) -> Void) throws {
        let t = p.training
        let (train, validation, classes) = try Self.records(p, root: root)
        labels = classes
        let limit = min(t.sequenceLen ?? config.nPositions, config.nPositions)
        var cut = 0
        var firstCut: String?
        func encode(_ records: [LabeledText]) -> (ids: [[Int32]], types: [[Int32]]) {
            var ids: [[Int32]] = [], types: [[Int32]] = []
            for r in records {
                let e = tokenizer.encode(r.text, pair: r.pair, limit: limit)
                if e.cut {
                    cut += 1
                    if firstCut == nil { firstCut = r.source }
                }
                ids.append(e.ids)
                types.append(e.types)
            }
            return (ids, types)
        }
        let (trainIds, trainTypes) = encode(train), (valIds, valTypes) = encode(validation)
        let longest = (trainIds + valIds).map(\.count).max() ?? 1
        sequenceLength = max(1, longest)
        truncated = cut
        if let firstCut {
            report("\(cut) text\(cut == 1 ? "" : "s") longer than \(limit) tokens truncated to \(limit) (first: \(firstCut)); raise sequence_len (at most n_positions \(config.nPositions)) to keep more")
        }
        let labelIds = { (records: [LabeledText]) in records.map { classes.id($0.label)! } }  // safe: checked above
        let encoder = config.family == .bert
        self.train = try TrainingData.classification(texts: trainIds, labels: labelIds(train), sequenceLength: sequenceLength,
                                                     vocabSize: config.vocabSize, numLabels: classes.count, pooling: config.pooling,
                                                     tokenTypes: encoder ? trainTypes : nil)
        self.validation = valIds.isEmpty ? nil : try TrainingData.classification(
            texts: valIds, labels: labelIds(validation), sequenceLength: sequenceLength, vocabSize: config.vocabSize,
            numLabels: classes.count, pooling: config.pooling, tokenTypes: encoder ? valTypes : nil)
    }

    /// The training and validation records of `p` (validation from `test_datasets`, else a seeded
    /// `val_set_size` split) and the label set, checked: what `lathe validate` runs for a classify stage.
    /// - Throws: `DatasetError` naming the file and record (see `init`).
    static func records(_ p: ClassifyParams, root: URL) throws -> (train: [LabeledText], validation: [LabeledText], labels: ClassLabels) {
        let t = p.training
        var train: [LabeledText] = [], validation: [LabeledText] = []
        for d in t.datasets {
            var records = try ClassificationReader.read(Self.spec(d, root: root, maxSamples: t.maxSamples)).records
            if t.testDatasets.isEmpty, t.valSetSize > 0 {
                let parts = ValSetSize(t.valSetSize).split(records, seed: UInt64(truncatingIfNeeded: t.seed) ^ 0x5EED_C1A5_51F1_0001)
                validation += parts.validation
                records = parts.train
            }
            train += records
        }
        for d in t.testDatasets {
            validation += try ClassificationReader.read(Self.spec(d, root: root, maxSamples: t.maxSamples)).records
        }
        let firstPath = root.appendingPathComponent(t.datasets.first?.path ?? "").path
        let classes = try ClassLabels(declared: p.labels, training: train, path: firstPath)
        try classes.check(validation, role: "validation")
        return (train, validation, classes)
    }

    /// A one-line account of a classify stage's data after `records` checked it (for `lathe validate`).
    public static func check(_ p: ClassifyParams, root: URL) throws -> String {
        let (train, validation, labels) = try records(p, root: root)
        return "\(labels.count) labels (\(labels.names.joined(separator: ", "))), \(train.count) training and \(validation.count) validation records"
    }

    /// The engine's spec of a recipe dataset entry, which must be `type: classification`.
    static func spec(_ d: Recipes.DatasetSpec, root: URL, maxSamples: Int?) throws -> Datasets.DatasetSpec {
        guard d.type == .classification else {
            throw StageError.invalidInput("\(d.path): a classify stage reads `type: classification` data ({text, label} records, CSV or TSV), not \(d.type.rawValue). Set `type: classification` and `text_field`/`label_field`.")
        }
        return DatasetBridge.spec(d, root: root, maxSamples: maxSamples)
    }
}
