import Datasets
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization

/// Encodes a training stage's datasets (through the content-addressed encoded-dataset cache in
/// `<store>/datasets/`), splits off validation data, encodes replay data, and lays everything
/// out as engine rows.
struct TrainingDataBuilder {
    let train: EncodedDataset
    let validation: EncodedDataset
    /// Replay documents (domain-adapt or attach-adapters with `replay:`), mixed into every step by the trainer.
    let replay: EncodedDataset?
    let replayRatio: Double
    let packing: Bool
    let sequenceLength: Int
    let vocabSize: Int
    /// How each training and test dataset fitted `sequence_len` under `truncation`, by dataset path.
    let fit: [(dataset: String, counts: SequenceFitCounts)]

    init(params p: TrainingParams, kind: StageKind, tokenizer: BPETokenizer, chatTemplate: ChatTemplate? = nil, root: URL,
         storeRoot: URL? = nil, sequenceLength: Int, vocabSize: Int, seed: UInt64, report: (String) -> Void = { _ in }) throws {
        self.packing = p.samplePacking
        self.sequenceLength = sequenceLength
        self.vocabSize = vocabSize
        let cache = storeRoot.map { EncodedDatasetCache(directory: $0.appendingPathComponent("datasets")) }
        let tokenizerHash = ContentHasher.sha256Hex(tokenizer.tokenizerJSON())
        // Validation comes from `test_datasets` when given, else a seeded `val_set_size` split.
        let valSize: ValSetSize? = p.testDatasets.isEmpty && p.valSetSize > 0 ? ValSetSize(p.valSetSize) : nil
        func encode(_ d: Recipes.DatasetSpec, split: ValSetSize?) throws -> EncodedSplit {
            let spec = DatasetBridge.spec(d, root: root, maxSamples: p.maxSamples, trainOnInputs: p.trainOnInputs, trainOnEOS: p.trainOnEos,
                                          chatTemplate: chatTemplate, trainOn: p.trainOn)
            let build = { () throws -> EncodedSplit in
                let all = try DatasetEncoder.encode(spec, tokenizer: tokenizer)
                guard let split else { return EncodedSplit(train: all, validation: EncodedDataset()) }
                let (t, v) = all.split(valSetSize: split, seed: seed)
                return EncodedSplit(train: t, validation: v)
            }
            guard let cache else { return try build() }
            let dataHash = try ContentHasher.hashInput(atPath: spec.path.path, root: root.path)
            let description = EncodedDatasetCache.description(
                tokenizerHash: tokenizerHash, dataHash: dataHash, spec: spec, sequenceLen: sequenceLength,
                packing: p.samplePacking, valSetSize: split, seed: seed)
            return try cache.loadOrBuild(key: ContentHasher.sha256Hex(description), description: description,
                                         vocabSize: tokenizer.vocabSize, onDiscard: report, build: build).split
        }
        let policy = Truncation(rawValue: p.truncation.rawValue) ?? .drop
        var fit: [(dataset: String, counts: SequenceFitCounts)] = []
        /// Applies `truncation` and records the counts under the dataset's path.
        /// Completion text and token shards are streams cut into windows whatever the policy; the policy
        /// is for records with a prompt (a response must not be trained without its prompt in view).
        func fitted(_ e: EncodedDataset, _ d: Recipes.DatasetSpec) -> EncodedDataset {
            guard d.type != .completion && d.type != .tokenized else { return e }
            let (kept, counts) = e.fitted(sequenceLen: sequenceLength, policy: policy)
            if let i = fit.firstIndex(where: { $0.dataset == d.path }) { fit[i].counts = fit[i].counts + counts }
            else { fit.append((d.path, counts)) }
            return kept
        }
        var trainParts: [EncodedDataset] = []
        var valParts: [EncodedDataset] = []
        for d in p.datasets {
            let s = try encode(d, split: valSize)
            trainParts.append(fitted(s.train, d))
            valParts.append(fitted(s.validation, d))
        }
        for d in p.testDatasets { valParts.append(fitted(try encode(d, split: nil).train, d)) }
        for (dataset, c) in fit where c.overLength > 0 {
            report("\(dataset): \(c.overLength) of \(c.documents) records longer than sequence_len \(sequenceLength) (+1): "
                + "\(c.dropped) dropped, \(c.truncated) truncated, \(c.split) split (truncation: \(policy.rawValue))")
        }
        self.fit = fit
        let train = EncodedDataset.concatenated(trainParts)
        guard train.documentCount > 0 else {
            let dropped = fit.reduce(0) { $0 + $1.counts.dropped }
            if dropped > 0 {
                throw StageError.invalidInput("every training record is longer than sequence_len \(sequenceLength) and was dropped (\(dropped) records); raise sequence_len or set `truncation: truncate`.")
            }
            throw StageError.invalidInput("the training datasets hold no documents after the validation split.")
        }
        if kind == .domainAdapt || kind == .attachAdapters, let replay = p.replay, replay.ratio > 0 {
            self.replay = EncodedDataset.concatenated(try replay.datasets.map { try encode($0, split: nil).train })
            replayRatio = replay.ratio
        } else {
            self.replay = nil
            replayRatio = 0
        }
        self.train = train
        self.validation = EncodedDataset.concatenated(valParts)
    }

    func trainingData() throws -> TrainingData { try layout(train) }

    /// The replay rows and their share of each step's loss, or nil without `replay:`.
    func replayMix() throws -> ReplayMix? {
        guard let replay else { return nil }
        guard replay.documentCount > 0 else { throw StageError.invalidInput("the replay datasets hold no documents.") }
        return ReplayMix(data: try layout(replay), ratio: replayRatio)
    }

    /// nil when there is no validation data.
    func validationData() throws -> TrainingData? {
        validation.documentCount == 0 ? nil : try layout(validation)
    }

    /// Packed: documents never share attention (per-document masks, positions reset); else one
    /// contiguous stream cut into rows.
    private func layout(_ e: EncodedDataset) throws -> TrainingData {
        if packing {
            var docs: [[Int32]] = []
            var masks: [[UInt8]] = []
            for d in 0..<e.documentCount {
                let (t, m) = e.document(d)
                docs.append(t.map { Int32(truncatingIfNeeded: $0) })
                masks.append(Array(m))
            }
            return try TrainingData.packed(documents: docs, lossMasks: masks, sequenceLength: sequenceLength, vocabSize: vocabSize)
        }
        return try TrainingData.contiguous(
            tokens: e.tokens.map { Int32(truncatingIfNeeded: $0) }, lossMask: e.lossMask,
            documentStarts: Array(e.documentOffsets.dropLast()), sequenceLength: sequenceLength, vocabSize: vocabSize)
    }
}
