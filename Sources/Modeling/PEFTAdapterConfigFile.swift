import Foundation

/// The `adapter_config.json` Lathe writes: PEFT's `LoraConfig` fields as `PeftModel.from_pretrained`
/// reads them, with the features Lathe does not implement written as their "off" values (no DoRA, no
/// bias, no per-module ranks). A fixed shape, so it is `Encodable`; reading stays in
/// `AdapterConfigReader`, which accepts PEFT's and mlx-lm's variants and names each wrong field.
struct PEFTAdapterConfigFile: Encodable, Equatable {
    /// `base_model_name_or_path`: a hub id or a path (PEFT loads the base from it).
    var baseModel: String
    /// `r`.
    var rank: Int
    /// `lora_alpha`, written as an integer when it is one (as PEFT writes it).
    var alpha: Double
    var dropout: Double
    var targetModules: [String]
    /// `fan_in_fan_out`: true for GPT-2's Conv1D `[in, out]` weights.
    var fanInFanOut: Bool
    var useRSLoRA: Bool
    /// nil is written as null.
    var modulesToSave: [String]?
    var layersToTransform: [Int]?
    /// `task_type`: CAUSAL_LM for language models, SEQ_CLS for sequence classifiers (the head then sits in
    /// `modules_to_save`).
    var taskType: String = "CAUSAL_LM"

    private enum CodingKeys: String, CodingKey {
        case peftType = "peft_type", taskType = "task_type", baseModel = "base_model_name_or_path", revision
        case rank = "r", alpha = "lora_alpha", dropout = "lora_dropout", targetModules = "target_modules"
        case excludeModules = "exclude_modules", fanInFanOut = "fan_in_fan_out", bias, useRSLoRA = "use_rslora"
        case useDoRA = "use_dora", modulesToSave = "modules_to_save", initLoRAWeights = "init_lora_weights"
        case layersToTransform = "layers_to_transform", layersPattern = "layers_pattern", rankPattern = "rank_pattern"
        case alphaPattern = "alpha_pattern", inferenceMode = "inference_mode", peftVersion = "peft_version"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("LORA", forKey: .peftType)
        try c.encode(taskType, forKey: .taskType)
        try c.encode(baseModel, forKey: .baseModel)
        try c.encodeNil(forKey: .revision)
        try c.encode(rank, forKey: .rank)
        if alpha == alpha.rounded(), abs(alpha) < 1e9 { try c.encode(Int(alpha), forKey: .alpha) } else { try c.encode(alpha, forKey: .alpha) }
        try c.encode(dropout, forKey: .dropout)
        try c.encode(targetModules, forKey: .targetModules)
        try c.encodeNil(forKey: .excludeModules)
        try c.encode(fanInFanOut, forKey: .fanInFanOut)
        try c.encode("none", forKey: .bias)
        try c.encode(useRSLoRA, forKey: .useRSLoRA)
        try c.encode(false, forKey: .useDoRA)
        if let modulesToSave { try c.encode(modulesToSave, forKey: .modulesToSave) } else { try c.encodeNil(forKey: .modulesToSave) }
        try c.encode(true, forKey: .initLoRAWeights)
        if let layersToTransform { try c.encode(layersToTransform, forKey: .layersToTransform) } else { try c.encodeNil(forKey: .layersToTransform) }
        try c.encodeNil(forKey: .layersPattern)
        try c.encode([String: Int](), forKey: .rankPattern)
        try c.encode([String: Double](), forKey: .alphaPattern)
        try c.encode(true, forKey: .inferenceMode)
        try c.encode("lathe", forKey: .peftVersion)
    }

    /// Pretty-printed with sorted keys and a final newline (stable bytes for the same adapter).
    func data() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self) + Data("\n".utf8)
    }
}
