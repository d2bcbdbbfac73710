import Foundation

/// Typed reads of an `adapter_config.json` object, PEFT or mlx-lm, with errors naming the field.
struct AdapterConfigReader {
    let object: [String: Any]
    let fail: (String) -> ModelingError

    func int(_ key: String, in o: [String: Any]? = nil, default value: Int) throws(ModelingError) -> Int {
        let v = (o ?? object)[key]
        if v == nil || v is NSNull { return value }
        guard let n = v as? NSNumber, n.doubleValue == n.doubleValue.rounded() else {
            throw fail("'\(key)' must be an integer")
        }
        return n.intValue
    }

    func double(_ key: String, in o: [String: Any]? = nil, default value: Double) throws(ModelingError) -> Double {
        let v = (o ?? object)[key]
        if v == nil || v is NSNull { return value }
        guard let n = v as? NSNumber, n.doubleValue.isFinite else { throw fail("'\(key)' must be a number") }
        return n.doubleValue
    }

    func bool(_ key: String, default value: Bool) throws(ModelingError) -> Bool {
        let v = object[key]
        if v == nil || v is NSNull { return value }
        guard let b = v as? Bool else { throw fail("'\(key)' must be true or false") }
        return b
    }

    func strings(_ key: String, in o: [String: Any]? = nil) throws(ModelingError) -> [String]? {
        let v = (o ?? object)[key]
        if v == nil || v is NSNull { return nil }
        guard let list = v as? [String] else { throw fail("'\(key)' must be a list of strings") }
        return list
    }

    /// PEFT `LoraConfig` fields (`tuners/lora/config.py`); features Lathe does not implement are refused
    /// rather than silently dropped.
    func peft() throws(ModelingError) -> PEFTAdapter.Header {
        guard object["peft_type"] as? String == "LORA" else {
            throw fail("'peft_type' is \(object["peft_type"].map { "\($0)" } ?? "missing"); Lathe reads LORA adapters only")
        }
        if try bool("use_dora", default: false) { throw fail("'use_dora' is true; Lathe does not implement DoRA") }
        if let bias = object["bias"] as? String, bias != "none" { throw fail("'bias' is '\(bias)'; Lathe adapters train no biases (use \"none\")") }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let d = object[key] as? [String: Any], !d.isEmpty { throw fail("'\(key)' is set; Lathe uses one rank and alpha for every module") }
        }
        let rank = try int("r", default: 8)
        var targets: [String]
        switch object["target_modules"] {
        case nil, is NSNull: targets = ["c_attn"]  // PEFT's default mapping for model_type gpt2
        case let s as String:
            guard s == "all-linear" else { throw fail("'target_modules' is the regular expression '\(s)'; Lathe accepts a list of module names or \"all-linear\"") }
            targets = [LoRAConfig.allLinearTarget]
        case let list as [String]: targets = list
        default: throw fail("'target_modules' must be a list of module names")
        }
        var layers: [Int]?
        switch object["layers_to_transform"] {
        case nil, is NSNull: layers = nil
        case let n as Int: layers = [n]
        case let list as [Int]: layers = list
        default: throw fail("'layers_to_transform' must be an integer or a list of integers")
        }
        let config = LoRAConfig(
            rank: rank, alpha: try double("lora_alpha", default: 8), dropout: try double("lora_dropout", default: 0),
            targetModules: targets, useRSLoRA: try bool("use_rslora", default: false), layersToTransform: layers,
            modulesToSave: try strings("modules_to_save") ?? [])
        return PEFTAdapter.Header(format: .peft, config: config, baseModel: object["base_model_name_or_path"] as? String, mlxNumLayers: nil,
                                  taskType: object["task_type"] as? String)
    }

    /// mlx-lm's `adapter_config.json`: `fine_tune_type`, `num_layers` (the last N blocks) and
    /// `lora_parameters {rank, scale, dropout, keys}`, with alpha = scale · rank.
    func mlx() throws(ModelingError) -> PEFTAdapter.Header {
        let kind = object["fine_tune_type"] as? String ?? "lora"
        guard kind == "lora" else { throw fail("'fine_tune_type' is '\(kind)'; Lathe reads mlx-lm LoRA adapters only") }
        guard let params = object["lora_parameters"] as? [String: Any] else { throw fail("'lora_parameters' is missing") }
        let rank = try int("rank", in: params, default: 8)
        let scale = try double("scale", in: params, default: 20)
        // mlx-lm's default keys for GPT-2 are the fused attention input only
        let keys = try strings("keys", in: params) ?? ["attn.c_attn"]
        for k in keys where !LoRAConfig.allLinear.contains(k) {
            throw fail("lora_parameters.keys entry '\(k)' is not a GPT-2 linear layer (\(LoRAConfig.allLinear.joined(separator: ", ")))")
        }
        let config = LoRAConfig(rank: rank, alpha: scale * Double(rank), dropout: try double("dropout", in: params, default: 0),
                                targetModules: keys)
        let numLayers = try int("num_layers", default: -1)
        return PEFTAdapter.Header(format: .mlx, config: config, baseModel: nil, mlxNumLayers: numLayers < 0 ? nil : numLayers)
    }
}
