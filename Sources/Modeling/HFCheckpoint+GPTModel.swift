public import Foundation

/// Bridges the HF checkpoint format and the engine's `GPTModel` (whose `ParameterLayout` already uses
/// HF GPT-2 names with the `transformer.` prefix and Conv1D `[in, out]` storage, so no tensor is transposed).
extension HFGPT2Config {
    /// The HF fields for an engine config (`jsonText` writes every dropout as 0.0: Lathe trains without it).
    public init(_ config: GPTConfig) {
        // Round-trip epsilon through its shortest Float text so 1e-5 is written as 1e-05, not 9.99999974e-06.
        let epsilon = Double("\(config.layerNormEpsilon)") ?? Double(config.layerNormEpsilon)
        let range = Double("\(config.initializerRange)") ?? Double(config.initializerRange)
        self.init(
            vocabSize: config.vocabSize, nPositions: config.nPositions, nEmbd: config.nEmbd, nLayer: config.nLayer,
            nHead: config.nHead, nInner: nil, layerNormEpsilon: epsilon, bosTokenID: config.bosTokenId,
            eosTokenID: config.eosTokenId, initializerRange: range)
    }

    /// The engine config for this HF config.
    /// - Parameter source: the config path quoted in errors.
    /// - Throws: `.unsupportedConfig` when `n_inner` is not 4 × `n_embd` (the engine's MLP is fixed at 4×),
    ///   `.invalidConfig` when the engine rejects a field (e.g. an EOS id outside the vocabulary).
    public func gptConfig(source: String = "config.json") throws(HFCheckpointError) -> GPTConfig {
        if let nInner, nInner != 4 * nEmbd {
            throw .unsupportedConfig(file: source, field: "n_inner", value: "\(nInner)",
                                     fix: "Lathe's MLP width is 4 × n_embd (\(4 * nEmbd)); set n_inner to null.")
        }
        let config = GPTConfig(
            vocabSize: vocabSize, nPositions: nPositions, nEmbd: nEmbd, nLayer: nLayer, nHead: nHead,
            layerNormEpsilon: Float(layerNormEpsilon), initializerRange: Float(initializerRange),
            bosTokenId: bosTokenID, eosTokenId: eosTokenID)
        do throws(ModelingError) {
            try config.validate()
        } catch {
            throw .invalidConfig(file: source, detail: error.description)
        }
        return config
    }
}

extension HFCheckpoint {
    /// Copies every parameter of `model` under its bare HF name.
    /// - Complexity: O(parameters) time and memory.
    public init(model: GPTModel) {
        var weights: [String: [Float]] = [:]
        model.withParameters { all in
            for info in model.layout.parameters {
                weights[Self.bareName(info.name)] = Array(all[info.offset..<(info.offset + info.count)])
            }
        }
        self.init(config: HFGPT2Config(model.config), weights: weights)
    }

    /// A new engine model holding these weights.
    /// - Throws: `.unsupportedConfig` / `.invalidConfig` for configs the engine cannot run,
    ///   `.invalidParameters` when a weight is missing or mis-sized.
    public func makeModel(source: String = "config.json") throws(HFCheckpointError) -> GPTModel {
        try validate()
        let engineConfig = try config.gptConfig(source: source)
        let model: GPTModel
        do throws(ModelingError) {
            model = try GPTModel(config: engineConfig)
        } catch {
            throw .invalidConfig(file: source, detail: error.description)
        }
        model.withParameters { all in
            for info in model.layout.parameters {
                // safe because validate() checked every layout name is present with info.count values.
                let values = weights[Self.bareName(info.name)]!
                for i in 0..<info.count { all[info.offset + i] = values[i] }
            }
        }
        return model
    }

    static func bareName(_ name: String) -> String {
        name.hasPrefix("transformer.") ? String(name.dropFirst("transformer.".count)) : name
    }
}

extension GPTModel {
    /// Loads a Hugging Face GPT-2 directory (see `HFCheckpoint.read(directory:)` for what is accepted).
    /// Loads a Hugging Face decoder folder: GPT-2 (see `HFCheckpoint.read(directory:)` for what is
    /// accepted) or a Llama-family model (`HFDecoderFolder.loadLlama`), chosen by `model_type`.
    public static func loadHF(directory: URL) throws(HFCheckpointError) -> GPTModel {
        if HFClassifierFolder.isClassifier(directory: directory) { return try HFClassifierFolder.load(directory: directory).model }
        let type = try HFDecoderFolder.modelType(directory: directory)
        if type == "bert" { return try HFEncoderFolder.load(directory: directory) }
        if let type, HFLlamaConfig.modelTypes[type] != nil {
            return try HFDecoderFolder.loadLlama(directory: directory)
        }
        return try HFCheckpoint.read(directory: directory)
            .makeModel(source: directory.appendingPathComponent("config.json").path)
    }

    /// Writes this model as a Hugging Face GPT-2 directory (`config.json`, `generation_config.json`,
    /// `model.safetensors`) that `GPT2LMHeadModel.from_pretrained` loads.
    public func exportHF(to directory: URL) throws(HFCheckpointError) {
        if config.family == .llama { return try HFDecoderFolder.exportLlama(self, to: directory) }
        if config.family == .bert { return try HFEncoderFolder.export(self, to: directory) }
        try HFCheckpoint(model: self).export(to: directory)
    }
}
