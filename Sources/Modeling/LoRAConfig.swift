import Foundation

/// What a LoRA adapter looks like: rank, scaling, dropout and which linear layers it wraps (PEFT
/// `LoraConfig`; recipe keys `lora_r`, `lora_alpha`, `lora_dropout`, `lora_target_modules`,
/// `lora_target_linear`, `peft_use_rslora`, `peft_layers_to_transform`, `lora_modules_to_save`).
public struct LoRAConfig: Sendable, Hashable, Codable {
    /// Rank r of A (r, in) and B (out, r).
    public var rank: Int
    /// Scaling numerator: scale = alpha / r, or alpha / √r with `useRSLoRA`.
    public var alpha: Double
    /// Inverted-dropout probability on the adapter's input while training (0 = none).
    public var dropout: Double
    /// PEFT `target_modules` entries: each matches a module path or a dot-separated suffix of it
    /// (`c_attn`, `c_proj` = both projections, `mlp.c_proj` = only the MLP's).
    public var targetModules: [String]
    /// rsLoRA (Kalajdzievski 2023): scale = alpha / √r.
    public var useRSLoRA: Bool
    /// Only these block indices get adapters (nil: every block).
    public var layersToTransform: [Int]?
    /// Base modules trained in full and saved with the adapter (PEFT `modules_to_save`), e.g. `wte`, `ln_f`.
    public var modulesToSave: [String]

    /// The four linear modules of a GPT-2 block (what `allLinearTarget` selects on GPT-2).
    public static let allLinear = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"]
    /// PEFT's `target_modules="all-linear"`: every linear module of every block, whatever the family
    /// (`lora_target_linear: true`); the LM head is never a target.
    public static let allLinearTarget = "all-linear"

    /// Rank, alpha and targets are required: a recipe's defaults (`lora_r` 8, `lora_alpha` 2 × r,
    /// `lora_target_modules` [c_attn]) live in `Recipes/KeyTables.swift`, and an adapter file's in its
    /// reader (`PEFTAdapter+Config`). The others default to "off".
    public init(rank: Int, alpha: Double, dropout: Double = 0, targetModules: [String],
                useRSLoRA: Bool = false, layersToTransform: [Int]? = nil, modulesToSave: [String] = []) {
        self.rank = rank
        self.alpha = alpha
        self.dropout = dropout
        self.targetModules = targetModules
        self.useRSLoRA = useRSLoRA
        self.layersToTransform = layersToTransform
        self.modulesToSave = modulesToSave
    }

    /// The modules PEFT's `SEQ_CLS` task always trains in full and saves (`PeftModelForSequenceClassification`):
    /// a `…ForSequenceClassification` head is `classifier` (BERT) or `score` (decoders).
    public static let headModuleNames = ["classifier", "score"]

    /// PEFT's default `target_modules` for a model family when a config gives none
    /// (`TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING`): `c_attn` for GPT-2, `q_proj`, `v_proj`
    /// for the Llama family (Llama, Mistral, Qwen2), `query`, `value` for BERT.
    public static func peftDefaultTargets(_ config: GPTConfig) -> [String] {
        switch config.family {
        case .gpt2: ["c_attn"]
        case .llama: ["q_proj", "v_proj"]
        case .bert: ["query", "value"]
        }
    }

    /// This config for a sequence classifier `model` (PEFT's `SEQ_CLS` task): the classification head joins
    /// `modulesToSave`, so it trains in full beside the adapters and is saved with them.
    /// - Throws: `.invalidHyperparameters` when `model` has no classification head.
    public func classifier(model: GPTModel) throws(ModelingError) -> LoRAConfig {
        let heads = model.layout.parameters.filter { $0.role == .head }.map(\.moduleName)
        guard model.config.numLabels != nil, let head = heads.first else {
            throw .invalidHyperparameters("a sequence-classification adapter needs a model with a classification head")
        }
        var c = self
        if !c.modulesToSave.contains(where: { m in model.layout.parameters.contains { $0.role == .head && $0.matchesModule(m) } }) {
            c.modulesToSave.append(head)
        }
        return c
    }

    /// The factor applied to B·A.
    public var scale: Float {
        Float(useRSLoRA ? alpha / Double(rank).squareRoot() : alpha / Double(rank))
    }

    /// Checks the settings against a model and returns the adapted linear layers, in layout order.
    /// - Throws: `.invalidHyperparameters` for a rank < 1, a dropout outside [0, 1), a target that names
    ///   no linear layer, a layer index outside the model, or a `modules_to_save` entry naming nothing.
    public func targets(layout: ParameterLayout, nLayer: Int) throws(ModelingError) -> [LoRATarget] {
        guard rank >= 1 else { throw .invalidHyperparameters("lora_r must be at least 1, got \(rank)") }
        guard dropout >= 0, dropout < 1 else { throw .invalidHyperparameters("lora_dropout must be in [0, 1), got \(dropout)") }
        guard alpha.isFinite, alpha > 0 else { throw .invalidHyperparameters("lora_alpha must be positive, got \(alpha)") }
        guard !targetModules.isEmpty else {
            throw .invalidHyperparameters("lora_target_modules is empty: name modules such as [c_attn], or set lora_target_linear: true")
        }
        if let layers = layersToTransform {
            for l in layers where l < 0 || l >= nLayer {
                throw .invalidHyperparameters("peft_layers_to_transform names layer \(l), but the model has layers 0...\(nLayer - 1)")
            }
        }
        let linear = Dictionary(uniqueKeysWithValues: layout.linearModules.enumerated().map { ($1.blockModule, $0) })
        let weights = layout.parameters.filter { p in p.role == .linear && p.layer != nil && linear[p.blockModule] != nil }
        let allLinear = targetModules.contains(Self.allLinearTarget)
        let examples = layout.linearModules.map { String($0.blockModule.split(separator: ".").last!) }
        let uniqueExamples = examples.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for target in targetModules where target != Self.allLinearTarget && !weights.contains(where: { $0.matchesModule(target) }) {
            let lmHead = target == "lm_head" || target.hasSuffix("wte") || target.hasSuffix("embed_tokens")
            throw .invalidHyperparameters("lora target module '\(target)' names no linear layer of the model"
                + (lmHead ? " (Lathe does not put adapters on the LM head or the embedding; use lora_modules_to_save to train it in full)"
                          : "; use \(uniqueExamples.joined(separator: ", ")), or lora_target_linear: true for all of them"))
        }
        for module in modulesToSave where !layout.parameters.contains(where: { $0.matchesModule(module) }) {
            throw .invalidHyperparameters("lora_modules_to_save entry '\(module)' names no module of the model (e.g. \(layout.parameters.first!.moduleName) or a norm)")
        }
        var out: [LoRATarget] = []
        for p in weights where allLinear || targetModules.contains(where: p.matchesModule) {
            let layer = p.layer!  // safe: filtered on layer != nil above
            if let layers = layersToTransform, !layers.contains(layer) { continue }
            if modulesToSave.contains(where: p.matchesModule) {
                throw .invalidHyperparameters("'\(p.modulePath)' is both a LoRA target and in lora_modules_to_save; pick one")
            }
            let m = layout.linearModules[linear[p.blockModule]!]  // safe: filtered above
            out.append(LoRATarget(layer: layer, module: p.blockModule, inFeatures: m.inFeatures, outFeatures: m.outFeatures,
                                  modulePath: p.modulePath))
        }
        return out
    }

    /// Trainable flags for the base model: everything frozen except `modulesToSave`.
    public func baseFreezing() -> Freezing {
        guard !modulesToSave.isEmpty else { return Freezing(frozenParameters: [".*"]) }
        // Freezing matches regexes at the start of the HF name; a module matches its path or a suffix of it.
        let patterns = modulesToSave.map { m in
            "((transformer|model)\\.)?(.*\\.)?" + NSRegularExpression.escapedPattern(for: m) + "\\.(weight|bias)$"
        }
        return Freezing(unfrozenParameters: patterns)
    }
}
