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

    /// The four linear modules of a GPT-2 block: what `lora_target_linear` / PEFT `"all-linear"` selects
    /// (the tied LM head is never a target).
    public static let allLinear = ["attn.c_attn", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"]

    public init(rank: Int = 8, alpha: Double? = nil, dropout: Double = 0, targetModules: [String] = ["c_attn"],
                useRSLoRA: Bool = false, layersToTransform: [Int]? = nil, modulesToSave: [String] = []) {
        self.rank = rank
        self.alpha = alpha ?? Double(2 * rank)
        self.dropout = dropout
        self.targetModules = targetModules
        self.useRSLoRA = useRSLoRA
        self.layersToTransform = layersToTransform
        self.modulesToSave = modulesToSave
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
        let weights = layout.parameters.filter { p in
            p.name.hasSuffix(".weight") && p.layer != nil && Self.allLinear.contains(p.blockModule)
        }
        for target in targetModules where !weights.contains(where: { $0.matchesModule(target) }) {
            let lmHead = target == "lm_head" || target.hasSuffix("wte")
            throw .invalidHyperparameters("lora target module '\(target)' names no linear layer of GPT-2"
                + (lmHead ? " (the LM head is tied to the token embedding and cannot take an adapter; use lora_modules_to_save: [wte] to train it)"
                          : "; use c_attn, c_proj, c_fc, attn.c_proj or mlp.c_proj"))
        }
        for module in modulesToSave where !layout.parameters.contains(where: { $0.matchesModule(module) }) {
            throw .invalidHyperparameters("lora_modules_to_save entry '\(module)' names no module of GPT-2 (e.g. wte, wpe, ln_f, h.0.ln_1)")
        }
        var out: [LoRATarget] = []
        for p in weights where targetModules.contains(where: p.matchesModule) {
            let layer = p.layer!  // safe: filtered on layer != nil above
            if let layers = layersToTransform, !layers.contains(layer) { continue }
            if modulesToSave.contains(where: p.matchesModule) {
                throw .invalidHyperparameters("'\(p.modulePath)' is both a LoRA target and in lora_modules_to_save; pick one")
            }
            out.append(LoRATarget(layer: layer, module: p.blockModule, inFeatures: p.shape[0], outFeatures: p.shape[1]))
        }
        return out
    }

    /// Trainable flags for the base model: everything frozen except `modulesToSave`.
    public func baseFreezing() -> Freezing {
        guard !modulesToSave.isEmpty else { return Freezing(frozenParameters: [".*"]) }
        // Freezing matches regexes at the start of the HF name; a module matches its path or a suffix of it.
        let patterns = modulesToSave.map { m in
            "(transformer\\.)?(.*\\.)?" + NSRegularExpression.escapedPattern(for: m) + "\\.(weight|bias)$"
        }
        return Freezing(unfrozenParameters: patterns)
    }
}

/// One adapted linear layer: block `layer`, module `attn.c_attn` / `attn.c_proj` / `mlp.c_fc` / `mlp.c_proj`.
public struct LoRATarget: Sendable, Hashable, Codable {
    public var layer: Int
    public var module: String
    public var inFeatures: Int
    public var outFeatures: Int

    /// Module path in the HF model, e.g. `transformer.h.0.attn.c_attn`.
    public var modulePath: String { "transformer.h.\(layer).\(module)" }
}
