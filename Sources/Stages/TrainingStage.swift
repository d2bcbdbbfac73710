import JSONText
import Cluster
import Compute
import Datasets
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization
#if canImport(Glibc)
import Glibc
import Files
#endif

/// `pretrain-continue`, `domain-adapt` and `instruct`: one causal-LM training loop over the
/// shared engine; the kinds differ only in their data (completion text, domain text with
/// `replay:`, instruction records with the prompt masked). A BERT encoder (WordPiece tokenizer) trains
/// with the masked-LM objective instead (``MaskedLMStage``).
///
/// Outputs (the entry's `out/` folder is itself an HF GPT-2 model folder):
/// `config.json`, `generation_config.json`, `model.safetensors`, `tokenizer.json`, and under
/// `logs/` (hashed, but outside the digest downstream keys see, since timings vary run to run):
/// `metrics.jsonl` (one JSON object per logged step: `step`, `loss`, `lr`, `grad_norm`,
/// `tokens_per_s`, and `val_loss` when evaluated) and `summary.json` (the cost record).
///
/// Resumable: every `save_steps` (and on interrupt) a checkpoint goes to the resume folder; a
/// rerun with the same key continues from it and ends with the same model bits.
struct TrainingStage: StageAdapter {
    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome {
        guard let p = stage.params.training else { throw StageError.unknownStage(stage.name) }
        let started = Date()
        ComputeThreads.set(p.threads)  // nil: $LATHE_THREADS, else every core
        // a WordPiece tokenizer means a BERT encoder: masked-LM training
        if let dir = try ModelInputs.directory(p.tokenizer ?? p.from, context: context),
           case .wordPiece(let wordPiece, let file)? = try ClassifierTokenizer.wordPiece(in: dir) {
            return try MaskedLMStage.run(stage, params: p, recipe: recipe, tokenizer: wordPiece, tokenizerFile: file,
                                         context: context, started: started)
        }
        guard p.mlmProbability == nil else {
            throw StageError.invalidInput("stage '\(stage.name)': mlm_probability sets the masked-LM objective of BERT encoders, but this stage trains a decoder (causal LM). Remove mlm_probability, or start from a BERT folder.")
        }
        let tokenizer = try ModelInputs.tokenizer(from: p.tokenizer ?? p.from, context: context)
        let model = try ModelInputs.model(p, recipe: recipe, tokenizer: tokenizer, context: context)
        let data = try TrainingRun.data(p, kind: stage.kind, tokenizer: tokenizer, config: model.config, context: context)
        let hp = TrainingRun.hyperparameters(p, trainRows: data.train.rowCount)
        let freezing = Freezing(trainableLayers: p.freezeTrainableLayers, unfrozenParameters: p.unfrozenParameters)
        let trainer = try GPTTrainer(model: model, data: data.train, hyperparameters: hp, freezing: freezing, replay: data.replay,
                                     workers: p.dataParallelWorkers, ranks: Ranks.world)
        let result = try TrainingRun.train(trainer, params: p, validation: data.validation, context: context)
        guard trainer.ranks.isWriter else { return StageOutcome(metrics: [:], cost: [:]) }  // rank 0 publishes

        let out = context.outputDirectory
        try model.exportHF(to: out)
        try tokenizer.write(to: out.appendingPathComponent("tokenizer.json"))
        if let chat = data.chatTemplate { try ChatTemplateFiles.write(chat.jinja, tokenizer: tokenizer, to: out) }
        return try result.writeLogs(to: out, kind: stage.kind, trainer: trainer, sequenceLength: data.sequenceLength, started: started, fit: data.fit)
    }
}
