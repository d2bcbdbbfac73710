public import Foundation
import SafeTensors
import Files

/// Reads and writes Hugging Face BERT folders (`config.json` with `model_type: bert` + safetensors).
/// The engine layout's names are `BertModel`'s; the `bert.` prefix that `BertForMaskedLM` and
/// `BertForSequenceClassification` put before them is removed on import.
public enum HFEncoderFolder {
    /// Loads the encoder and pooler of a BERT folder (F32/F16/BF16, single file or shards).
    ///
    /// Skips the `embeddings.position_ids` buffer and the task heads (`cls.*`, `classifier.*`), which are
    /// not part of the encoder. A folder without a pooler (`BertForMaskedLM` saves none) is an error
    /// naming `pooler.dense.weight`.
    /// - Throws: `HFCheckpointError` naming the file and tensor (unknown, duplicate, missing, mis-shaped).
    public static func load(directory: URL) throws(HFCheckpointError) -> GPTModel {
        let configURL = directory.appendingPathComponent("config.json")
        guard let data = try? Data(RegularFile.read(configURL.path)) else {
            throw .missingFile(directory: directory.path, file: "config.json", hint: "A Hugging Face model directory needs config.json.")
        }
        let config = try HFBertConfig.parse(data, source: configURL.path)
        let model: GPTModel
        do throws(ModelingError) {
            model = try GPTModel(config: config)
        } catch {
            throw .invalidConfig(file: configURL.path, detail: error.description)
        }
        let paths = try HFCheckpoint.weightFilePaths(directory: directory)
        var loaded = Set<String>()
        for path in paths {
            let file: SafeTensorsFile
            do throws(SafeTensorsError) {
                file = try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw .safeTensors(error)
            }
            for info in file.tensors {
                let name = info.name.hasPrefix("bert.") ? String(info.name.dropFirst(5)) : info.name
                if name == "embeddings.position_ids" || name.hasPrefix("classifier.") { continue }
                // the masked-LM decoder is the word embedding (tied) and its bias is cls.predictions.bias
                if name.hasPrefix("cls.") && (!config.maskedLMHead || name.hasPrefix("cls.predictions.decoder.")) { continue }
                if name.hasPrefix("pooler.") && config.maskedLMHead { continue }
                guard let p = model.layout.info(name) else { throw .unexpectedTensor(file: path, tensor: info.name) }
                guard !loaded.contains(name) else { throw .duplicateTensor(file: path, tensor: info.name) }
                guard info.shape == p.shape else {
                    throw .shapeMismatch(file: path, tensor: info.name, expected: p.shape, found: info.shape)
                }
                do {
                    try model.withParameter(named: name) { buffer in try file.copyFloats(info.name, into: buffer) }
                } catch let error as SafeTensorsError {
                    throw .safeTensors(error)
                } catch {
                    throw .io(path: path, detail: "\(error)")
                }
                loaded.insert(name)
            }
        }
        let mainFile = paths.count == 1 ? paths[0] : directory.appendingPathComponent("model.safetensors.index.json").path
        for p in model.layout.parameters where !loaded.contains(p.name) {
            throw .missingTensor(file: mainFile, tensor: p.name)
        }
        return model
    }

    /// Writes `model` (a BERT engine model) as a `BertModel` folder, or a `BertForMaskedLM` one when it has
    /// the masked-LM head (encoder names under `bert.`, the decoder tied so not stored): `config.json` and
    /// `model.safetensors` with `{"format": "pt"}` metadata; `from_pretrained` loads either.
    public static func export(_ model: GPTModel, to directory: URL) throws(HFCheckpointError) {
        // BertForMaskedLM prefixes the encoder's names with `bert.`
        try HFFolderWriter.writeWeights(model, to: directory) { p in
            model.config.maskedLMHead && !p.name.hasPrefix("cls.") ? "bert." + p.name : p.name
        }
        try HFFolderWriter.writeText(HFBertConfig.jsonText(model.config), to: directory.appendingPathComponent("config.json"))
    }
}
