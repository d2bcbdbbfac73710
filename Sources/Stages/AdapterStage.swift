import Cluster
import Compute
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization

/// `kind: attach-adapters` — LoRA fine-tuning: the base (`from:` a stage or an HF folder) is frozen and
/// only the adapters (plus `lora_modules_to_save`) train, on the same data path and loop as the other
/// training stages (`TrainingRun`). `from:` may also name an adapter stage or folder, or `lora_model_dir`
/// a PEFT/mlx-lm adapter folder: that adapter then continues training.
///
/// Outputs: a PEFT adapter folder (`adapter_config.json`, `adapter_model.safetensors`) plus
/// `tokenizer.json` and `logs/` (`metrics.jsonl`, `summary.json` with `trainable_params` = adapter
/// parameters); `base/` (the base's HF files, hard-linked) when the base came from another stage, so the
/// folder is self-contained; with `merge_lora: true`, `merged/` = a plain HF model folder with the adapter
/// folded in (checked: its logits match base + adapter within 1e-4 on a probe).
struct AdapterStage: StageAdapter {
    /// Largest acceptable logit difference between the merged model and base + adapter (fp32 merge).
    static let mergeTolerance: Float = 1e-4

    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome {
        guard case .adapters(let a) = stage.params else { throw StageError.unknownStage(stage.name) }
        let p = a.training
        let started = Date()
        ComputeThreads.set(p.threads)
        if p.from == .scratch {
            throw StageError.invalidInput("attach-adapters needs a base model in `from:` (a stage or an HF GPT-2 folder), not scratch.")
        }
        let base = try ModelResolver.resolve(p.from, recipe: recipe, outputs: context.upstreamOutputs,
                                             projectRoot: context.projectRoot, depth: 0)
        let tokenizer = try p.tokenizer.map { try ModelInputs.tokenizer(from: $0, context: context) } ?? base.tokenizer()
        let model = base.model
        let seed = UInt64(truncatingIfNeeded: p.seed)
        let config = LoRAConfig(
            rank: a.loraR, alpha: a.loraAlpha, dropout: a.loraDropout,
            targetModules: a.loraTargetLinear ? [LoRAConfig.allLinearTarget] : a.loraTargetModules,
            useRSLoRA: a.peftUseRslora, layersToTransform: a.peftLayersToTransform, modulesToSave: a.loraModulesToSave)
        if let dir = a.loraModelDir {
            if model.adapters != nil { model.detachAdapters() }
            try PEFTAdapter.load(directory: context.projectRoot.appendingPathComponent(dir), into: model)
        }
        if let existing = model.adapters {
            // Continuing an adapter: it must have the shape the recipe asks for, else the recipe is misleading.
            let wanted = try config.targets(layout: model.layout, nLayer: model.config.nLayer)
            guard existing.config.rank == config.rank, existing.targets == wanted else {
                throw StageError.invalidInput("the adapter to continue has r = \(existing.config.rank) on \(existing.targets.count) modules, but the recipe asks for lora_r \(config.rank) on \(wanted.count) (\(config.targetModules.joined(separator: ", "))). Match lora_r and lora_target_modules to the adapter, or start a new adapter from its base.")
            }
            // The adapter's own scaling, dropout and saved modules carry on (as PEFT's `is_trainable` load
            // does); a recipe that says otherwise would be silently ignored, so it is refused.
            let mismatches = Self.settingMismatches(existing: existing.config, recipe: config)
            guard mismatches.isEmpty else {
                throw StageError.invalidInput("the adapter to continue was trained with other settings than the recipe gives: \(mismatches.joined(separator: "; ")). Set these keys to the adapter's values (or remove them where that is the default), or start a new adapter from its base.")
            }
            context.report(.note("continuing the adapter from \(a.loraModelDir ?? p.from.stageName ?? "its folder") (lora_alpha \(existing.config.alpha))"))
        } else {
            // Adapter init draws from its own stream so the data order (seeded by `seed`) is unaffected.
            try model.attach(LoRAAdapters(config: config, model: model, seed: seed ^ 0x10BA_ADA9_7E25_0001))
        }
        let adapters = model.adapters!  // safe: attached above
        let data = try TrainingRun.data(p, kind: stage.kind, tokenizer: tokenizer, config: model.config, context: context)
        let hp = TrainingRun.hyperparameters(p, trainRows: data.train.rowCount)
        let freezing = Freezing(trainableLayers: p.freezeTrainableLayers, unfrozenParameters: p.unfrozenParameters)
        let trainer = try GPTTrainer(model: model, data: data.train, hyperparameters: hp, freezing: freezing, replay: data.replay,
                                     ranks: Ranks.world)
        context.report(.note("LoRA r=\(adapters.config.rank) on \(adapters.targets.count) modules: \(trainer.trainableParameterCount) trainable parameters"))
        let result = try TrainingRun.train(trainer, params: p, validation: data.validation, context: context)
        guard trainer.ranks.isWriter else { return StageOutcome(metrics: [:], cost: [:]) }  // rank 0 publishes

        let out = context.outputDirectory
        try PEFTAdapter.write(model, baseModel: base.baseName, to: out)
        try tokenizer.write(to: out.appendingPathComponent("tokenizer.json"))
        if let chat = data.chatTemplate { try ChatTemplateFiles.write(chat.jinja, tokenizer: tokenizer, to: out) }
        if p.from.stageName != nil || base.baseDirectory.lastPathComponent == "base" {
            try Self.linkBase(from: base.baseDirectory, to: out.appendingPathComponent("base"))
        }
        var extra: [String: Double] = ["adapter_params": Double(adapters.parameterCount)]
        if a.mergeLora {
            let merged = try model.merged()
            let probe = (0..<min(32, model.config.nPositions)).map { Int32(($0 * 7919 + 11) % model.config.vocabSize) }
            let diff = model.maxLogitDifference(to: merged, tokens: probe)
            guard diff <= Self.mergeTolerance else {
                throw StageError.invalidInput("the merged model's logits differ from base + adapter by \(diff) (> \(Self.mergeTolerance)); the merge is unsafe to publish.")
            }
            let dir = out.appendingPathComponent("merged")
            try merged.exportHF(to: dir)
            try tokenizer.write(to: dir.appendingPathComponent("tokenizer.json"))
            if let chat = data.chatTemplate { try ChatTemplateFiles.write(chat.jinja, tokenizer: tokenizer, to: dir) }
            extra["merge_max_abs_diff"] = Double(diff)
        }
        return try result.writeLogs(to: out, kind: stage.kind, trainer: trainer, sequenceLength: data.sequenceLength,
                                    started: started, fit: data.fit, extra: extra)
    }

    /// `key: adapter value vs recipe value` for each continued-adapter setting the recipe contradicts.
    static func settingMismatches(existing: LoRAConfig, recipe: LoRAConfig) -> [String] {
        var out: [String] = []
        if existing.alpha != recipe.alpha { out.append("lora_alpha \(existing.alpha) in the adapter, \(recipe.alpha) in the recipe (default 2 × lora_r)") }
        if existing.dropout != recipe.dropout { out.append("lora_dropout \(existing.dropout) in the adapter, \(recipe.dropout) in the recipe") }
        if existing.useRSLoRA != recipe.useRSLoRA { out.append("peft_use_rslora \(existing.useRSLoRA) in the adapter, \(recipe.useRSLoRA) in the recipe") }
        if Set(existing.modulesToSave) != Set(recipe.modulesToSave) {
            out.append("lora_modules_to_save \(existing.modulesToSave) in the adapter, \(recipe.modulesToSave) in the recipe")
        }
        return out
    }

    /// The base's HF files (config, generation config, weights), hard-linked when possible (the store's
    /// outputs are immutable), else copied.
    static func linkBase(from source: URL, to destination: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: destination, withIntermediateDirectories: true)
        for name in ["config.json", "generation_config.json", "model.safetensors"] {
            let src = source.appendingPathComponent(name), dst = destination.appendingPathComponent(name)
            guard fm.fileExists(atPath: src.path) else { continue }
            do { try fm.linkItem(at: src, to: dst) } catch { try fm.copyItem(at: src, to: dst) }
        }
    }
}
