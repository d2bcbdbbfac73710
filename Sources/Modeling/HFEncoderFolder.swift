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
        try HFWeightLoader.load(into: model, directory: directory) { t in
            let name = t.info.name.hasPrefix("bert.") ? String(t.info.name.dropFirst(5)) : t.info.name
            if name == "embeddings.position_ids" || name.hasPrefix("classifier.") { return nil }
            // the masked-LM decoder is the word embedding (tied) and its bias is cls.predictions.bias
            if name.hasPrefix("cls.") && (!config.maskedLMHead || name.hasPrefix("cls.predictions.decoder.")) { return nil }
            if name.hasPrefix("pooler.") && config.maskedLMHead { return nil }
            return name
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
