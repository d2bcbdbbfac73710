import JSONText

/// Typed reads of an `adapter_config.json` object, PEFT or mlx-lm, with errors naming the field.
///
/// Read through JSONText (not `Codable`): PEFT's fields change type by value (`target_modules` is a list
/// or the string "all-linear", `layers_to_transform` an integer or a list), unknown fields must be
/// ignored, and every wrong type must be an error naming its field.
struct AdapterConfigReader {
    let object: JSONObject
    let fail: (String) -> ModelingError

    /// `key` of `o` (default: the top level), nil when absent or null.
    private func value(_ key: String, in o: JSONObject? = nil) -> JSONValue? {
        guard let v = (o ?? object)[key], v != .null else { return nil }
        return v
    }

    func int(_ key: String, in o: JSONObject? = nil, default fallback: Int) throws(ModelingError) -> Int {
        guard let v = value(key, in: o) else { return fallback }
        guard let n = v.intValue else { throw fail("'\(key)' must be an integer") }
        return n
    }

    func double(_ key: String, in o: JSONObject? = nil, default fallback: Double) throws(ModelingError) -> Double {
        guard let v = value(key, in: o) else { return fallback }
        guard let d = v.doubleValue, d.isFinite else { throw fail("'\(key)' must be a number") }
        return d
    }

    func bool(_ key: String, default fallback: Bool) throws(ModelingError) -> Bool {
        guard let v = value(key) else { return fallback }
        guard let b = v.boolValue else { throw fail("'\(key)' must be true or false") }
        return b
    }

    func strings(_ key: String, in o: JSONObject? = nil) throws(ModelingError) -> [String]? {
        guard let v = value(key, in: o) else { return nil }
        guard let items = v.arrayValue else { throw fail("'\(key)' must be a list of strings") }
        var list: [String] = []
        for item in items {
            guard let s = item.stringValue else { throw fail("'\(key)' must be a list of strings") }
            list.append(s)
        }
        return list
    }

    /// PEFT `LoraConfig` fields (`tuners/lora/config.py`); features Lathe does not implement are refused
    /// rather than silently dropped.
    func peft() throws(ModelingError) -> PEFTAdapter.Header {
        guard object["peft_type"]?.stringValue == "LORA" else {
            let written = object["peft_type"].map { $0.stringValue ?? $0.compact() } ?? "missing"
            throw fail("'peft_type' is \(written); Lathe reads LORA adapters only")
        }
        if try bool("use_dora", default: false) { throw fail("'use_dora' is true; Lathe does not implement DoRA") }
        if let bias = object["bias"]?.stringValue, bias != "none" { throw fail("'bias' is '\(bias)'; Lathe adapters train no biases (use \"none\")") }
        for key in ["rank_pattern", "alpha_pattern"] {
            if let d = object[key]?.objectValue, !d.isEmpty { throw fail("'\(key)' is set; Lathe uses one rank and alpha for every module") }
        }
        let rank = try int("r", default: 8)
        var targets: [String]
        switch value("target_modules") {
        case nil: targets = ["c_attn"]  // PEFT's default mapping for model_type gpt2
        case .string(let s)?:
            guard s == "all-linear" else { throw fail("'target_modules' is the regular expression '\(s)'; Lathe accepts a list of module names or \"all-linear\"") }
            targets = [LoRAConfig.allLinearTarget]
        case .array(let items)?:
            targets = []
            for item in items {
                guard let name = item.stringValue else { throw fail("'target_modules' must be a list of module names") }
                targets.append(name)
            }
        default: throw fail("'target_modules' must be a list of module names")
        }
        var layers: [Int]?
        switch value("layers_to_transform") {
        case nil: layers = nil
        case .int(let n)?: layers = [n]
        case .array(let items)?:
            var list: [Int] = []
            for item in items {
                guard case .int(let n) = item else { throw fail("'layers_to_transform' must be an integer or a list of integers") }
                list.append(n)
            }
            layers = list
        default: throw fail("'layers_to_transform' must be an integer or a list of integers")
        }
        let config = LoRAConfig(
            rank: rank, alpha: try double("lora_alpha", default: 8), dropout: try double("lora_dropout", default: 0),
            targetModules: targets, useRSLoRA: try bool("use_rslora", default: false), layersToTransform: layers,
            modulesToSave: try strings("modules_to_save") ?? [])
        return PEFTAdapter.Header(format: .peft, config: config, baseModel: object["base_model_name_or_path"]?.stringValue, mlxNumLayers: nil,
                                  taskType: object["task_type"]?.stringValue)
    }

    /// mlx-lm's `adapter_config.json`: `fine_tune_type`, `num_layers` (the last N blocks) and
    /// `lora_parameters {rank, scale, dropout, keys}`, with alpha = scale · rank.
    func mlx() throws(ModelingError) -> PEFTAdapter.Header {
        let kind = object["fine_tune_type"]?.stringValue ?? "lora"
        guard kind == "lora" else { throw fail("'fine_tune_type' is '\(kind)'; Lathe reads mlx-lm LoRA adapters only") }
        guard let params = object["lora_parameters"]?.objectValue else { throw fail("'lora_parameters' is missing") }
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
