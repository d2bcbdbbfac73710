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
    /// Encoded documents of one dataset, and whether its type is a text stream (completion text and token
    /// shards, cut into windows when unpacked) rather than records (one row each when unpacked).
    struct Part {
        let data: EncodedDataset
        let stream: Bool
    }

    let train: [Part]
    let validation: [Part]
    /// Replay documents (domain-adapt or attach-adapters with `replay:`), mixed into every step by the trainer.
    let replay: [Part]?
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
        func isStream(_ d: Recipes.DatasetSpec) -> Bool { d.type == .completion || d.type == .tokenized }
        var trainParts: [Part] = []
        var valParts: [Part] = []
        for d in p.datasets {
            let s = try encode(d, split: valSize)
            trainParts.append(Part(data: fitted(s.train, d), stream: isStream(d)))
            valParts.append(Part(data: fitted(s.validation, d), stream: isStream(d)))
        }
        for d in p.testDatasets { valParts.append(Part(data: fitted(try encode(d, split: nil).train, d), stream: isStream(d))) }
        for (dataset, c) in fit where c.overLength > 0 {
            report("\(dataset): \(c.overLength) of \(c.documents) records longer than sequence_len \(sequenceLength) (+1): "
                + "\(c.dropped) dropped, \(c.truncated) truncated, \(c.split) split (truncation: \(policy.rawValue))")
        }
        self.fit = fit
        guard trainParts.contains(where: { $0.data.documentCount > 0 }) else {
            let dropped = fit.reduce(0) { $0 + $1.counts.dropped }
            if dropped > 0 {
                throw StageError.invalidInput("every training record is longer than sequence_len \(sequenceLength) and was dropped (\(dropped) records); raise sequence_len or set `truncation: truncate`.")
            }
            throw StageError.invalidInput("the training datasets hold no documents after the validation split.")
        }
        if kind == .domainAdapt || kind == .attachAdapters, let replay = p.replay, replay.ratio > 0 {
            self.replay = try replay.datasets.map { Part(data: try encode($0, split: nil).train, stream: isStream($0)) }
            replayRatio = replay.ratio
        } else {
            self.replay = nil
            replayRatio = 0
        }
        self.train = trainParts
        self.validation = valParts
    }

    func trainingData() throws -> TrainingData { try layout(train) }

    /// The replay rows and their share of each step's loss, or nil without `replay:`.
    func replayMix() throws -> ReplayMix? {
        guard let replay else { return nil }
        guard replay.contains(where: { $0.data.documentCount > 0 }) else { throw StageError.invalidInput("the replay datasets hold no documents.") }
        return ReplayMix(data: try layout(replay), ratio: replayRatio)
    }

    /// nil when there is no validation data.
    func validationData() throws -> TrainingData? {
        validation.contains(where: { $0.data.documentCount > 0 }) ? try layout(validation) : nil
    }

    /// Packed (`sample_packing: true`): every part's documents placed whole, in order, into shared rows;
    /// documents never share attention (per-document masks, positions reset).
    /// Unpacked: each record one right-padded row (``TrainingData/padded(documents:lossMasks:sequenceLength:vocabSize:)``);
    /// consecutive text-stream parts (completion, tokenized) are one stream cut into windows of stride T,
    /// as HF's `run_clm` groups texts, with no attention or loss across their documents.
    private func layout(_ parts: [Part]) throws -> TrainingData {
        if packing { return try packed(EncodedDataset.concatenated(parts.map(\.data))) }
        var rows: TrainingData?
        var i = parts.startIndex
        while i < parts.endIndex {
            var j = i + 1
            while parts[i].stream && j < parts.endIndex && parts[j].stream { j += 1 }
            let e = EncodedDataset.concatenated(parts[i..<j].map(\.data))
            i = j
            guard e.documentCount > 0 else { continue }
            let laid = parts[j - 1].stream ? try contiguous(e) : try padded(e)
            rows = rows.map { $0.appending(laid) } ?? laid
        }
        guard let rows else { throw StageError.invalidInput("the datasets hold no documents.") }
        return rows
    }

    private func documents(_ e: EncodedDataset) -> (tokens: [[Int32]], masks: [[UInt8]]) {
        var docs: [[Int32]] = []
        var masks: [[UInt8]] = []
        for d in 0..<e.documentCount {
            let (t, m) = e.document(d)
            docs.append(t.map { Int32(truncatingIfNeeded: $0) })
            masks.append(Array(m))
        }
        return (docs, masks)
    }

    private func padded(_ e: EncodedDataset) throws -> TrainingData {
        let (docs, masks) = documents(e)
        return try TrainingData.padded(documents: docs, lossMasks: masks, sequenceLength: sequenceLength, vocabSize: vocabSize)
    }

    private func packed(_ e: EncodedDataset) throws -> TrainingData {
        let (docs, masks) = documents(e)
        return try TrainingData.packed(documents: docs, lossMasks: masks, sequenceLength: sequenceLength, vocabSize: vocabSize)
    }

    private func contiguous(_ e: EncodedDataset) throws -> TrainingData {
        try TrainingData.contiguous(
            tokens: e.tokens.map { Int32(truncatingIfNeeded: $0) }, lossMask: e.lossMask,
            documentStarts: Array(e.documentOffsets.dropLast()), sequenceLength: sequenceLength, vocabSize: vocabSize)
    }
}
