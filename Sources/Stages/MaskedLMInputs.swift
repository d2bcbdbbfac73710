import Compute
import Datasets
import Foundation
import Modeling
import Recipes
import Tokenization

/// A masked-LM stage's text as encoder rows: every document of the `type: completion` datasets (.txt
/// lines or blocks, JSONL/JSON text field) tokenized with the model's WordPiece tokenizer without
/// specials, the documents concatenated in order into one stream (HF `run_mlm`'s `group_texts`), cut into
/// chunks of `sequence_len` − 2 and wrapped as `[CLS] chunk [SEP]` by the tokenizer's template, one
/// right-padded row each. Validation (`test_datasets`, else a seeded `val_set_size` split of the documents)
/// gets one fixed mask (``TrainingData/withFixedMasks(_:seed:)``), so `val_loss` compares like with like.
struct MaskedLMInputs {
    let train: TrainingData
    let validation: TrainingData?
    let settings: MaskedLMSettings
    /// Documents read (training and validation).
    let documents: Int

    /// The seed of every fixed evaluation mask (validation here, `evaluate` stages on encoders): the same
    /// positions for every model compared.
    static let evaluationSeed: UInt64 = 0x4D4C_4D5F_4556_414C
    /// The share of tokens an `evaluate` stage's fixed mask chooses: `mlm_probability`'s default (BERT's
    /// 15 %), whatever the models were trained with, so every model is scored on the same positions.
    static var evaluationProbability: Double { TrainingParams.defaultMaskedLMProbability }

    /// - Throws: `DatasetError` naming the file and record for unreadable data, `StageError` for data that
    ///   is not text, a tokenizer without [MASK], or text that yields no token to predict.
    init(_ p: TrainingParams, tokenizer: WordPieceTokenizer, config: GPTConfig, sequenceLength: Int, root: URL) throws {
        settings = try Self.settings(p.maskedLMProbability, tokenizer: tokenizer, config: config)
        var train: [String] = [], validation: [String] = []
        for d in p.datasets {
            var texts = try Self.texts(d, root: root, maxSamples: p.maxSamples)
            if p.testDatasets.isEmpty, p.valSetSize > 0 {
                let parts = ValSetSize(p.valSetSize).split(texts, seed: UInt64(truncatingIfNeeded: p.seed) ^ 0x5EED_4D4C_4D00_0001)
                validation += parts.validation
                texts = parts.train
            }
            train += texts
        }
        for d in p.testDatasets { validation += try Self.texts(d, root: root, maxSamples: p.maxSamples) }
        documents = train.count + validation.count
        self.train = try Self.rows(train, tokenizer: tokenizer, sequenceLength: sequenceLength, vocabSize: config.vocabSize)
        self.validation = validation.isEmpty ? nil
            : try Self.rows(validation, tokenizer: tokenizer, sequenceLength: sequenceLength, vocabSize: config.vocabSize)
                .withFixedMasks(settings, seed: Self.evaluationSeed)
    }

    /// The corruption settings of `tokenizer` ([MASK] id, vocabulary) at `probability`.
    static func settings(_ probability: Double, tokenizer: WordPieceTokenizer, config: GPTConfig) throws -> MaskedLMSettings {
        guard let mask = tokenizer.maskId else {
            throw StageError.invalidInput("the WordPiece tokenizer has no [MASK] token, which masked-LM training replaces chosen tokens with. Use the model's own BERT tokenizer.")
        }
        return MaskedLMSettings(probability: probability, maskId: mask, vocabSize: min(tokenizer.vocabSize, config.vocabSize))
    }

    /// The documents of a `type: completion` dataset as text.
    static func texts(_ d: Recipes.DatasetSpec, root: URL, maxSamples: Int?) throws -> [String] {
        guard d.type == .completion else {
            throw StageError.invalidInput("\(d.path): masked-LM training of a BERT encoder reads `type: completion` text (.txt, or JSONL/JSON records with a text field), not \(d.type.rawValue). Set `type: completion`, or train the encoder on labelled data in `kind: classify`.")
        }
        return try DatasetReader.examples(DatasetBridge.spec(d, root: root, maxSamples: maxSamples)).map { String(decoding: $0.text, as: UTF8.self) }
    }

    /// `texts` as masked-LM rows of `sequenceLength` tokens (see the type's comment).
    /// - Throws: `StageError` when the text holds no token or `sequenceLength` leaves no room between the specials.
    static func rows(_ texts: [String], tokenizer: WordPieceTokenizer, sequenceLength: Int, vocabSize: Int) throws -> TrainingData {
        let added = tokenizer.template.addedCount(pair: false)
        guard sequenceLength > added else {
            throw StageError.invalidInput("sequence_len \(sequenceLength) leaves no room for text between the tokenizer's \(added) special tokens. Raise sequence_len.")
        }
        var stream: [Int] = []
        for text in texts { stream += tokenizer.encodeWithoutSpecials(text) }
        guard !stream.isEmpty else { throw StageError.invalidInput("the masked-LM data holds no text (every document is empty)") }
        let chunk = sequenceLength - added
        var windows: [[Int32]] = []
        var start = 0
        while start < stream.count {
            let piece = Array(stream[start..<min(start + chunk, stream.count)])
            windows.append(tokenizer.template.apply(piece, nil).ids.map { Int32(truncatingIfNeeded: $0) })
            start += chunk
        }
        var special = Set(tokenizer.template.apply([], nil).ids.map { Int32(truncatingIfNeeded: $0) })
        special.insert(Int32(truncatingIfNeeded: tokenizer.padId))
        return try TrainingData.maskedLM(windows: windows, sequenceLength: sequenceLength, vocabSize: vocabSize, special: special)
    }
}
