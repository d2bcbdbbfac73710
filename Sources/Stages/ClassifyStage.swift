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
///
/// With `adapter: lora` (issue 17) the model is frozen and only LoRA adapters on its linear layers and the
/// classification head train (PEFT's `SEQ_CLS` task: the head is in `modules_to_save`). Outputs then: the
/// PEFT adapter folder (`adapter_config.json` with `task_type: SEQ_CLS`, `adapter_model.safetensors`),
/// `classifier.json` (the labels: `AutoModelForSequenceClassification.from_pretrained(base, **classifier)`
/// then `PeftModel.from_pretrained(model, folder)` rebuilds the classifier), `tokenizer.json`, `base/` when
/// the base came from another stage, and with `merge_lora: true` `merged/`, a `…ForSequenceClassification`
/// folder with the adapter folded in (checked against base + adapter on a probe).
struct ClassifyStage: StageAdapter {
    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome {
        guard case .classify(let c) = stage.params else { throw StageError.unknownStage(stage.name) }
        let p = c.training
        let started = Date()
        ComputeThreads.set(p.threads)
        if c.lora != nil, let dir = try ModelInputs.directory(p.from, context: context), PEFTAdapter.isAdapterDirectory(dir) {
            throw StageError.invalidInput("`from:` names an adapter (\(p.from.stageName.map { "stage '\($0)'" } ?? dir.path)), but a LoRA classify stage publishes a new adapter for PEFT to load onto a plain model folder. Start from that adapter's base, or remove `adapter: lora` to fine-tune the merged model in full.")
        }
        let tokenizer = try ClassifierTokenizer.load(p.tokenizer ?? p.from, context: context)
        let base: GPTModel
        switch tokenizer {
        case .bpe(let bpe): base = try ModelInputs.model(p, recipe: recipe, tokenizer: bpe, context: context)
        case .wordPiece:
            // an encoder folder (BertModel, a BertForSequenceClassification of an earlier stage, or an adapter
            // on one), or a BERT from scratch
            if try ModelInputs.directory(p.from, context: context) != nil {
                let resolved = try ModelResolver.resolve(p.from, recipe: recipe, outputs: context.upstreamOutputs,
                                                         projectRoot: context.projectRoot, depth: 0).model
                base = resolved.adapters == nil ? resolved : try resolved.merged()
            } else {
                base = try ModelInputs.scratchEncoder(p, vocabSize: tokenizer.vocabSize, padId: tokenizer.padId)
            }
        }
        try TrainingRun.checkTokenizer(size: tokenizer.vocabSize, fits: base.config, fix: "Use the model's own tokenizer.")
        context.report(.note("reading classification data"))
        let inputs = try ClassificationInputs(c, tokenizer: tokenizer, config: base.config, root: context.projectRoot,
                                              report: { context.report(.note($0)) })
        try MemoryBudget.check(base.config, batch: p.microBatchSize, sequence: inputs.sequenceLength)
        // A classifier upstream keeps its head only when its labels are ours, in the same order.
        var sameLabels = false
        if base.config.numLabels != nil, let dir = try ModelInputs.directory(p.from, context: context) {
            sameLabels = (try? ModelResolver.classLabels(of: dir)) == inputs.labels.names
        }
        let model = try base.withClassificationHead(numLabels: inputs.labels.count, seed: UInt64(truncatingIfNeeded: p.seed) ^ 0x5C0E_4EAD_0000_0001,
                                                    keepHead: sameLabels)
        context.report(.note("\(inputs.labels.count) labels (\(inputs.labels.names.joined(separator: ", "))); \(inputs.train.rowCount) training texts, \(inputs.validation?.rowCount ?? 0) validation; rows of \(inputs.sequenceLength) tokens"))
        if let lora = c.lora {
            let config = try Self.loraConfig(lora, model: model)
            // adapter init draws from its own stream, as in attach-adapters, so the data order is unaffected
            try model.attach(LoRAAdapters(config: config, model: model, seed: UInt64(truncatingIfNeeded: p.seed) ^ 0x10BA_ADA9_7E25_0001))
        }
        let hp = TrainingRun.hyperparameters(p, trainRows: inputs.train.rowCount)
        let freezing = Freezing(trainableLayers: p.freezeTrainableLayers, unfrozenParameters: p.unfrozenParameters)
        let trainer = try GPTTrainer(model: model, data: inputs.train, hyperparameters: hp, freezing: freezing,
                                     workers: p.dataParallelWorkers)
        if let adapters = model.adapters {
            context.report(.note("LoRA r=\(adapters.config.rank) on \(adapters.targets.count) modules and the \(adapters.config.modulesToSave.joined(separator: ", ")) head: \(trainer.trainableParameterCount) trainable parameters"))
        }
        let result = try TrainingRun.train(trainer, params: p, validation: inputs.validation, context: context)

        let out = context.outputDirectory
        var extra: [String: Double] = ["labels": Double(inputs.labels.count), "truncated_texts": Double(inputs.truncated)]
        if let lora = c.lora, let adapters = model.adapters {
            try Self.writeAdapter(model, params: p, labels: inputs.labels.names, context: context)
            extra["adapter_params"] = Double(adapters.parameterCount)
            if lora.mergeLora {
                let diff = try Self.writeMerged(model, labels: inputs.labels.names, tokenizer: tokenizer, to: out)
                extra["merge_max_abs_diff"] = Double(diff)
            }
        } else {
            try HFClassifierFolder.export(model, labels: inputs.labels.names, to: out)
        }
        try tokenizer.write(to: out.appendingPathComponent("tokenizer.json"))
        return try result.writeLogs(to: out, kind: stage.kind, trainer: trainer, sequenceLength: inputs.sequenceLength,
                                    started: started, extra: extra)
    }

    /// The recipe's LoRA keys as a config for classifier `model`: `lora_target_linear` wins, else the
    /// recipe's targets, else PEFT's default for the family; the head joins `modules_to_save`.
    static func loraConfig(_ lora: ClassifyLoRAParams, model: GPTModel) throws -> LoRAConfig {
        let targets = lora.loraTargetLinear ? [LoRAConfig.allLinearTarget] : lora.loraTargetModules ?? LoRAConfig.peftDefaultTargets(model.config)
        return try LoRAConfig(rank: lora.loraR, alpha: lora.loraAlpha, dropout: lora.loraDropout, targetModules: targets,
                              useRSLoRA: lora.peftUseRslora, layersToTransform: lora.peftLayersToTransform,
                              modulesToSave: lora.loraModulesToSave).classifier(model: model)
    }

    /// The PEFT folder of a LoRA classifier: adapter files naming the base PEFT loads it onto, the labels,
    /// and `base/` (the base's HF files, hard-linked) when the base is another stage's output.
    private static func writeAdapter(_ model: GPTModel, params p: TrainingParams, labels: [String], context: StageContext) throws {
        let out = context.outputDirectory
        let baseName: String = switch p.from {
        case .path(let path): path
        case .stage(let name): name
        case .scratch: "scratch"
        }
        try PEFTAdapter.write(model, baseModel: baseName, to: out)
        try HFClassifierFolder.writeAdapterLabels(labels, config: model.config, to: out)
        if p.from.stageName != nil, let dir = try ModelInputs.directory(p.from, context: context) {
            try AdapterStage.linkBase(from: dir, to: out.appendingPathComponent("base"))
        }
    }

    /// Writes `merged/`: the classifier with its adapters folded in, after checking its class logits against
    /// base + adapter on a probe text. Returns the largest logit difference.
    static func writeMerged(_ model: GPTModel, labels: [String], tokenizer: ClassifierTokenizer, to out: URL) throws -> Float {
        let merged = try model.merged()
        let probe = [(0..<min(32, model.config.nPositions)).map { Int32(($0 * 7919 + 11) % model.config.vocabSize) }]
        let diff = zip(try model.classLogits(probe)[0], try merged.classLogits(probe)[0]).map { abs($0 - $1) }.max() ?? 0
        guard diff <= AdapterStage.mergeTolerance else {
            throw StageError.invalidInput("the merged classifier's logits differ from base + adapter by \(diff) (> \(AdapterStage.mergeTolerance)); the merge is unsafe to publish.")
        }
        let dir = out.appendingPathComponent("merged")
        try HFClassifierFolder.export(merged, labels: labels, to: dir)
        try tokenizer.write(to: dir.appendingPathComponent("tokenizer.json"))
        return diff
    }
}
