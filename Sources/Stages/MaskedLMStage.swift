import Cluster
import Compute
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization

/// `pretrain-continue` and `domain-adapt` on a BERT encoder (a folder whose `tokenizer.json` is
/// WordPiece, or `from: scratch` with `architecture: bert`): continued pretraining with BertForMaskedLM's
/// objective ("Don't Stop Pretraining", Gururangan et al. 2020). Text becomes `[CLS] … [SEP]` windows
/// (``MaskedLMInputs``); each step the trainer corrupts `mlm_probability` of every window's tokens
/// (80 % [MASK], 10 % random, 10 % kept) from the run's seed, and the loss is on those tokens only.
/// Checkpoints, schedules, freezing, ranks and logs are the shared `TrainingRun`'s.
///
/// A model without the `cls.predictions` head (a `BertModel` such as all-MiniLM-L6-v2, or a classifier)
/// gets it initialised as transformers' BertForMaskedLM does, decoder tied to the word embeddings.
/// Outputs: a `BertForMaskedLM` folder (`config.json`, `model.safetensors`), the tokenizer files of the
/// source folder, and `logs/`.
enum MaskedLMStage {
    /// Tokenizer files copied beside the model when the source folder has them.
    static let tokenizerFiles = ["tokenizer_config.json", "vocab.txt", "special_tokens_map.json"]

    static func run(_ stage: RecipeStage, params p: TrainingParams, recipe: Recipe, tokenizer: WordPieceTokenizer, tokenizerFile: URL,
                    context: StageContext, started: Date) throws -> StageOutcome {
        guard stage.kind == .pretrainContinue || stage.kind == .domainAdapt else {
            throw StageError.invalidInput("stage '\(stage.name)' starts from a BERT encoder (WordPiece tokenizer), which has no causal language-model head: \(stage.kind.rawValue) cannot train it. Encoders train in `kind: classify`, and on text with the masked-LM objective in pretrain-continue or domain-adapt.")
        }
        guard p.replay == nil else {
            throw StageError.invalidInput("stage '\(stage.name)': `replay:` is not supported with masked-LM training of a BERT encoder. Remove it, or list the general text in `datasets:`.")
        }
        let seed = UInt64(truncatingIfNeeded: p.seed)
        var model = try encoder(p, recipe: recipe, tokenizer: tokenizer, context: context)
        if !model.config.maskedLMHead {
            model = try model.withMaskedLMHead(seed: seed ^ 0x4D4C_4D48_4541_4401)
            if p.from != .scratch {
                context.report(.note("the model has no masked-LM head (cls.predictions): initialised as BertForMaskedLM does (transform dense N(0, \(model.config.initializerRange)²), LayerNorm 1/0, bias 0), decoder tied to the word embeddings"))
            }
        }
        let config = model.config
        try TrainingRun.checkTokenizer(size: tokenizer.vocabSize, fits: config, fix: "Use the model's own tokenizer.")
        let sequenceLength = try TrainingRun.checkedSequenceLength(p, config: config)
        context.report(.note("reading masked-LM text"))
        let inputs = try MaskedLMInputs(p, tokenizer: tokenizer, config: config, sequenceLength: sequenceLength, root: context.projectRoot)
        context.report(.note("\(inputs.documents) documents as \(inputs.train.rowCount) training windows of up to \(sequenceLength) tokens (\(inputs.validation?.rowCount ?? 0) validation, fixed masks); mlm_probability \(inputs.settings.probability)"))
        let hp = TrainingRun.hyperparameters(p, trainRows: inputs.train.rowCount)
        let freezing = Freezing(trainableLayers: p.freezeTrainableLayers, unfrozenParameters: p.unfrozenParameters)
        let trainer = try GPTTrainer(model: model, data: inputs.train, hyperparameters: hp, freezing: freezing,
                                     workers: p.dataParallelWorkers, ranks: Ranks.world, maskedLM: inputs.settings)
        let result = try TrainingRun.train(trainer, params: p, validation: inputs.validation, context: context)
        guard trainer.ranks.isWriter else { return StageOutcome(metrics: [:], cost: [:]) }  // rank 0 publishes

        let out = context.outputDirectory
        try model.exportHF(to: out)
        try ClassifierTokenizer.wordPiece(tokenizer, file: tokenizerFile).write(to: out.appendingPathComponent("tokenizer.json"))
        let source = tokenizerFile.deletingLastPathComponent()
        for name in tokenizerFiles where FileManager.default.fileExists(atPath: source.appendingPathComponent(name).path) {
            try? FileManager.default.removeItem(at: out.appendingPathComponent(name))
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: out.appendingPathComponent(name))
        }
        return try result.writeLogs(to: out, kind: stage.kind, trainer: trainer, sequenceLength: sequenceLength, started: started,
                                    extra: ["mlm_probability": inputs.settings.probability, "windows": Double(inputs.train.rowCount)])
    }

    /// The encoder `from:` names (an HF BERT folder or a stage's), or a fresh one for `from: scratch`
    /// (`model:` with `architecture: bert`, the tokenizer's vocabulary).
    static func encoder(_ p: TrainingParams, recipe: Recipe, tokenizer: WordPieceTokenizer, context: StageContext) throws -> GPTModel {
        guard let dir = try ModelInputs.directory(p.from, context: context) else {
            return try ModelInputs.scratchEncoder(p, vocabSize: tokenizer.vocabSize, padId: tokenizer.padId)
        }
        let model = try GPTModel.loadHF(directory: dir)
        guard model.config.family == .bert else {
            throw StageError.invalidInput("\(dir.path) holds a \(model.config.modelType) model but its tokenizer is WordPiece; masked-LM training needs a BERT folder (model_type bert) with its own tokenizer.")
        }
        return model
    }
}
