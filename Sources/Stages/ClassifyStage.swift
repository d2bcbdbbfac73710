import Compute
import Datasets
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization

/// `kind: classify` — sequence classification: `from:` any model (a stage, an HF folder, a `.gguf`
/// file, `scratch`), its LM head replaced by a `score` head of one row per label over the pooled hidden
/// state (``SequencePooling``, a property of the model family), trained with cross-entropy over the
/// labels by the shared trainer (`TrainingRun`: AdamW, schedules, checkpoints, `freeze_trainable_layers`,
/// `unfrozen_parameters`).
///
/// Outputs: the HF `…ForSequenceClassification` folder (`config.json` with `id2label`/`label2id`,
/// `model.safetensors`), `tokenizer.json`, and `logs/` as every training stage.
struct ClassifyStage: StageAdapter {
    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome {
        guard case .classify(let c) = stage.params else { throw StageError.unknownStage(stage.name) }
        let p = c.training
        let started = Date()
        ComputeThreads.set(p.threads)
        let tokenizer = try ClassifierTokenizer.load(p.tokenizer ?? p.from, context: context)
        let base: GPTModel
        switch tokenizer {
        case .bpe(let bpe): base = try ModelInputs.model(p, recipe: recipe, tokenizer: bpe, context: context)
        case .wordPiece:
            // an encoder folder (BertModel, or a BertForSequenceClassification of an earlier stage)
            if let dir = try ModelInputs.directory(p.from, context: context) {
                base = try GPTModel.loadHF(directory: dir)
            } else {
                base = try ModelInputs.scratchEncoder(p, vocabSize: tokenizer.vocabSize, padId: tokenizer.padId)
            }
        }
        guard tokenizer.vocabSize <= base.config.vocabSize else {
            throw StageError.invalidInput("the tokenizer has \(tokenizer.vocabSize) tokens but the model's vocab_size is \(base.config.vocabSize). Use the model's own tokenizer.")
        }
        context.report(.note("reading classification data"))
        let inputs = try ClassificationInputs(c, tokenizer: tokenizer, config: base.config, root: context.projectRoot,
                                              report: { context.report(.note($0)) })
        try MemoryBudget.check(base.config, batch: p.microBatchSize, sequence: inputs.sequenceLength)
        // A classifier upstream keeps its head only when its labels are ours, in the same order.
        var sameLabels = false
        if base.config.numLabels != nil, let dir = try ModelInputs.directory(p.from, context: context) {
            sameLabels = (try? HFClassifierFolder.labels(directory: dir)) == inputs.labels.names
        }
        let model = try base.withClassificationHead(numLabels: inputs.labels.count, seed: UInt64(truncatingIfNeeded: p.seed) ^ 0x5C0E_4EAD_0000_0001,
                                                    keepHead: sameLabels)
        context.report(.note("\(inputs.labels.count) labels (\(inputs.labels.names.joined(separator: ", "))); \(inputs.train.rowCount) training texts, \(inputs.validation?.rowCount ?? 0) validation; rows of \(inputs.sequenceLength) tokens"))
        let hp = TrainingRun.hyperparameters(p, trainRows: inputs.train.rowCount)
        let freezing = Freezing(trainableLayers: p.freezeTrainableLayers, unfrozenParameters: p.unfrozenParameters)
        let trainer = try GPTTrainer(model: model, data: inputs.train, hyperparameters: hp, freezing: freezing,
                                     workers: p.dataParallelWorkers)
        let result = try TrainingRun.train(trainer, params: p, validation: inputs.validation, context: context)

        let out = context.outputDirectory
        try HFClassifierFolder.export(model, labels: inputs.labels.names, to: out)
        try tokenizer.write(to: out.appendingPathComponent("tokenizer.json"))
        return try result.writeLogs(to: out, kind: stage.kind, trainer: trainer, sequenceLength: inputs.sequenceLength,
                                    started: started, extra: ["labels": Double(inputs.labels.count),
                                                              "truncated_texts": Double(inputs.truncated)])
    }
}
