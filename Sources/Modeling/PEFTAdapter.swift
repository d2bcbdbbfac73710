public import Foundation
import JSONText
import SafeTensors

/// Reads and writes LoRA adapter directories: Hugging Face PEFT's (`adapter_config.json` +
/// `adapter_model.safetensors`, written and read) and mlx-lm's (`adapter_config.json` with
/// `fine_tune_type` + `adapters.safetensors`, read only). The two are told apart by `peft_type`.
///
/// PEFT keys: `base_model.model.transformer.h.N.<module>.lora_A.weight` [r, in] and `….lora_B.weight`
/// [out, r] (nn.Linear convention even for GPT-2's Conv1D; no adapter name), plus
/// `base_model.model.<module>.weight|bias` for `modules_to_save`. All Float32.
///
/// A sequence classifier's adapter (`task_type: SEQ_CLS`, PEFT's `PeftModelForSequenceClassification`) uses
/// the `…ForSequenceClassification` module paths (BERT's encoder under `bert.`:
/// `base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight`) and saves the head in full
/// (`modules_to_save` holds `classifier` or `score`: `base_model.model.classifier.weight`).
public enum PEFTAdapter {
    public static let configFile = "adapter_config.json"
    public static let weightsFile = "adapter_model.safetensors"
    public static let mlxWeightsFile = "adapters.safetensors"
    static let prefix = "base_model.model."
    /// `adapter_config.json` is small; anything larger is not a config (bounds hostile input).
    static let maxConfigBytes = 1 << 20

    /// Whether `directory` holds an adapter (an `adapter_config.json`), PEFT or mlx-lm.
    public static func isAdapterDirectory(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent(configFile).path)
    }

    /// Writes `model`'s adapters as a PEFT directory that `PeftModel.from_pretrained` loads on top of the
    /// base written by `exportHF`. `modules_to_save` tensors are taken from the model's current weights.
    /// A classifier (`config.numLabels`) is written as PEFT's `SEQ_CLS` task; its config's `modulesToSave`
    /// must hold the head (see ``LoRAConfig/classifier(model:)``).
    /// - Parameter baseModel: `base_model_name_or_path` (hub id or path); PEFT needs it to find the base.
    /// - Throws: `.adapterFile` when the model has no adapters or a file cannot be written.
    public static func write(_ model: GPTModel, baseModel: String, to directory: URL) throws(ModelingError) {
        guard let adapters = model.adapters else {
            throw .adapterFile(path: directory.path, problem: "the model has no LoRA adapters to save")
        }
        let c = adapters.config
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        let all = adapters.parameterValues()
        do {
            for (name, shape, offset) in adapters.parameterShapes {
                try writer.addFloat32(prefix + HFClassifierFolder.hfName(name, config: model.config), shape: shape,
                                      values: Array(all[offset..<(offset + shape.reduce(1, *))]))
            }
            for info in model.layout.parameters where c.modulesToSave.contains(where: info.matchesModule) {
                let values = try model.withParameter(named: info.name) { Array($0) }
                try writer.addFloat32(prefix + HFClassifierFolder.hfName(info.name, config: model.config), shape: info.shape, values: values)
            }
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try writer.write(to: directory.appendingPathComponent(weightsFile))
        } catch {
            throw .adapterFile(path: directory.appendingPathComponent(weightsFile).path, problem: "cannot write it (\(error))")
        }
        let file = PEFTAdapterConfigFile(
            baseModel: baseModel, rank: c.rank, alpha: c.alpha, dropout: c.dropout,
            targetModules: Set(adapters.targets.map { targetName($0.module, config: c) }).sorted(),
            fanInFanOut: !model.spec.outIn, useRSLoRA: c.useRSLoRA,
            modulesToSave: c.modulesToSave.isEmpty ? nil : c.modulesToSave.sorted(),
            layersToTransform: c.layersToTransform.map { $0.sorted() },
            taskType: model.config.numLabels == nil ? "CAUSAL_LM" : "SEQ_CLS")
        let url = directory.appendingPathComponent(configFile)
        do {
            try file.data().write(to: url, options: .atomic)
        } catch {
            throw .adapterFile(path: url.path, problem: "cannot write it (\(error.localizedDescription))")
        }
    }

    /// Rewrites `base_model_name_or_path` in the folder's `adapter_config.json`, keeping every other field.
    /// PEFT's `AutoPeftModelForCausalLM.from_pretrained(folder)` passes the value to
    /// `from_pretrained` as it is, so a relative path would resolve against the caller's working folder.
    /// - Throws: `.adapterFile` when the config cannot be read or written.
    public static func setBaseModel(_ baseModel: String, in directory: URL) throws(ModelingError) {
        let url = directory.appendingPathComponent(configFile)
        guard case .object(var fields)? = try? JSONValue.parse(Data(contentsOf: url)) else {
            throw .adapterFile(path: url.path, problem: "it is not a JSON object")
        }
        fields["base_model_name_or_path"] = .string(baseModel)
        do {
            try Data(JSONValue.object(fields).rendered().utf8).write(to: url, options: .atomic)
        } catch {
            throw .adapterFile(path: url.path, problem: "cannot rewrite base_model_name_or_path (\(error.localizedDescription))")
        }
    }

    /// The `base_model_name_or_path` an `adapter_config.json`'s text names, or nil when it is not a JSON
    /// object with that string (what `lathe validate` follows to make an adapter's base an input).
    public static func baseModelName(configJSON bytes: [UInt8]) -> String? {
        (try? JSONValue.parse(bytes))?["base_model_name_or_path"]?.stringValue
    }

    /// The `target_modules` entry for an adapted module: the config's own entry that selected it, so a
    /// written config selects exactly what was trained (`c_proj` stays `c_proj`).
    static func targetName(_ module: String, config: LoRAConfig) -> String {
        config.targetModules.first { module == $0 || module.hasSuffix("." + $0) } ?? module
    }

    /// What an adapter directory says about itself.
    public struct Header: Sendable, Hashable {
        public enum Format: String, Sendable, Hashable { case peft, mlx }
        public var format: Format
        public var config: LoRAConfig
        /// PEFT `base_model_name_or_path` (nil for mlx-lm, which does not record it).
        public var baseModel: String?
        /// mlx-lm `num_layers`: adapters sit on the last N blocks (nil: all).
        public var mlxNumLayers: Int?
        /// PEFT `task_type` (`CAUSAL_LM`, `SEQ_CLS`, …; nil when absent or mlx-lm).
        public var taskType: String? = nil

        /// A sequence classifier's adapter: it needs a base with a classification head of the adapter's labels.
        public var isSequenceClassification: Bool { taskType == "SEQ_CLS" }
    }

    /// Parses `adapter_config.json` of a PEFT or mlx-lm directory.
    /// - Throws: `.adapterFile` naming the file when it is missing, not JSON, or describes something other
    ///   than a plain LoRA (DoRA, bias training, a non-LoRA PEFT type).
    public static func header(directory: URL) throws(ModelingError) -> Header {
        let url = directory.appendingPathComponent(configFile)
        let path = url.path
        func fail(_ s: String) -> ModelingError { .adapterFile(path: path, problem: s) }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? Int else { throw fail("the file does not exist; an adapter directory needs adapter_config.json") }
        guard size <= maxConfigBytes else { throw fail("the file is \(size) bytes, too large for an adapter config") }
        guard let data = try? Data(contentsOf: url), case .object(let object)? = try? JSONValue.parse(data) else {
            throw fail("not a JSON object")
        }
        let reader = AdapterConfigReader(object: object, fail: fail)
        if object["peft_type"] != nil { return try reader.peft() }
        if object["fine_tune_type"] != nil || object["lora_parameters"] != nil { return try reader.mlx() }
        throw fail("neither a PEFT config (no 'peft_type') nor an mlx-lm config (no 'fine_tune_type'/'lora_parameters')")
    }

    /// Loads the adapter in `directory` onto `model` (which must be its base): builds the adapters from the
    /// config, fills them from the weights file, applies `modules_to_save` tensors, and attaches them.
    /// - Throws: `.adapterFile` naming the file for a missing or malformed file, an unknown key, a shape that
    ///   does not match the base, a rank differing from the config, or a missing tensor.
    @discardableResult
    public static func load(directory: URL, into model: GPTModel) throws(ModelingError) -> Header {
        var header = try header(directory: directory)
        if let n = header.mlxNumLayers, n < model.config.nLayer {
            header.config.layersToTransform = Array((model.config.nLayer - n)..<model.config.nLayer)
        }
        let configPath = directory.appendingPathComponent(configFile).path
        if header.isSequenceClassification {
            guard model.config.numLabels != nil else {
                throw .adapterFile(path: configPath, problem: "it is a sequence-classification adapter (task_type SEQ_CLS), but the model it is loaded onto has no classification head; give the model the adapter's labels first")
            }
            // module paths PEFT wrote in full (`bert.encoder.layer.0.…`) in the layout's spelling
            header.config.targetModules = header.config.targetModules.map { HFClassifierFolder.layoutName($0, config: model.config) }
            header.config.modulesToSave = header.config.modulesToSave.map { HFClassifierFolder.layoutName($0, config: model.config) }
            // PEFT's SEQ_CLS adds both `classifier` and `score` to modules_to_save; a model has one of them.
            header.config.modulesToSave.removeAll { m in
                LoRAConfig.headModuleNames.contains(m) && !model.layout.parameters.contains { $0.matchesModule(m) }
            }
        }
        let file = directory.appendingPathComponent(header.format == .peft ? weightsFile : mlxWeightsFile)
        func fail(_ s: String) -> ModelingError { .adapterFile(path: file.path, problem: s) }
        let tensors: SafeTensorsFile
        do { tensors = try SafeTensorsFile.read(contentsOf: file) } catch { throw fail("cannot read it: \(error)") }
        let adapters: LoRAAdapters
        do { adapters = try LoRAAdapters(config: header.config, model: model) } catch {
            throw .adapterFile(path: directory.appendingPathComponent(configFile).path, problem: "it does not fit the base model: \(error)")
        }
        var seen = Set<String>()
        for info in tensors.tensors {
            let key = info.name
            if header.format == .mlx {
                guard let (name, transposed) = mlxName(key) else {
                    throw fail("tensor '\(key)' does not map to a GPT-2 LoRA weight (expected keys like 'model.h.0.attn.c_attn.lora_a')")
                }
                try copy(info, from: tensors, into: adapters, name: name, transposed: transposed, fail: fail)
                seen.insert(name)
                continue
            }
            guard key.hasPrefix(prefix) else { throw fail("tensor '\(key)' does not start with '\(prefix)' as PEFT keys do") }
            let name = HFClassifierFolder.layoutName(String(key.dropFirst(prefix.count)), config: model.config)
            if name.contains(".lora_") {
                try copy(info, from: tensors, into: adapters, name: name, transposed: false, fail: fail)
                seen.insert(name)
            } else if let p = model.layout.info(name), header.config.modulesToSave.contains(where: p.matchesModule) {
                guard info.shape == p.shape else { throw fail("'\(key)' has shape \(info.shape), the base needs \(p.shape)") }
                do { try model.withParameter(named: name) { buffer in try tensors.copyFloats(key, into: buffer) } } catch let error as ModelingError {
                    throw error
                } catch {
                    throw fail("cannot read '\(key)' (\(error))")
                }
                seen.insert(name)
            } else {
                throw fail("unexpected tensor '\(key)': not a LoRA weight of a target module nor in modules_to_save")
            }
        }
        for (name, _, _) in adapters.parameterShapes where !seen.contains(name) {
            let key = header.format == .peft ? prefix + HFClassifierFolder.hfName(name, config: model.config) : name
            throw fail("missing tensor '\(key)' that adapter_config.json's target_modules require")
        }
        if header.isSequenceClassification {
            // the head starts random in the base; an adapter that does not carry it would classify at random
            for p in model.layout.parameters where p.role == .head && !seen.contains(p.name) {
                throw fail("missing tensor '\(prefix + HFClassifierFolder.hfName(p.name, config: model.config))': a sequence-classification adapter must save its classification head (modules_to_save)")
            }
        }
        try model.attach(adapters)
        return header
    }

    /// mlx-lm key → (PEFT-style name, transposed). `model.h.0.attn.c_attn.lora_a` ([in, r]) →
    /// `transformer.h.0.attn.c_attn.lora_A.weight` ([r, in]).
    static func mlxName(_ key: String) -> (String, Bool)? {
        var parts = key.split(separator: ".").map(String.init)
        if parts.first == "model" { parts.removeFirst() }
        if parts.first == "transformer" { parts.removeFirst() }
        guard parts.count == 5, parts[0] == "h", Int(parts[1]) != nil, let last = parts.last,
              LoRAConfig.allLinear.contains(parts[2] + "." + parts[3]) else { return nil }
        let kind: String
        switch last {
        case "lora_a": kind = "lora_A"
        case "lora_b": kind = "lora_B"
        default: return nil
        }
        return ("transformer.h.\(parts[1]).\(parts[2]).\(parts[3]).\(kind).weight", true)
    }

    private static func copy(_ info: SafeTensorInfo, from file: SafeTensorsFile, into adapters: LoRAAdapters, name: String,
                             transposed: Bool, fail: (String) -> ModelingError) throws(ModelingError) {
        guard let entry = adapters.parameterShapes.first(where: { $0.name == name }) else {
            throw fail("tensor '\(info.name)' belongs to a module adapter_config.json does not target (or to a layer outside layers_to_transform)")
        }
        let expected = transposed ? [entry.shape[1], entry.shape[0]] : entry.shape
        guard info.shape == expected else {
            let rankHint = info.shape.count == 2 && info.shape.contains(adapters.config.rank) ? "" : " (is r in adapter_config.json right?)"
            throw fail("'\(info.name)' has shape \(info.shape), but r = \(adapters.config.rank) on this base needs \(expected)\(rankHint)")
        }
        let values: [Float]
        do { values = try file.floats(info.name) } catch { throw fail("cannot read '\(info.name)' (\(error))") }
        let rows = expected[0], cols = expected[1]
        adapters.withParameters { all in
            if transposed {
                // mlx-lm stores lora_a [in, r] and lora_b [r, out]: the transposes of PEFT's A and B
                for i in 0..<rows { for j in 0..<cols { all[entry.offset + j * rows + i] = values[i * cols + j] } }
            } else {
                for i in 0..<values.count { all[entry.offset + i] = values[i] }
            }
        }
    }
}
