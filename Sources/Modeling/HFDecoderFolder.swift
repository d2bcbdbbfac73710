public import Foundation
import SafeTensors
import Files

/// Reads and writes Hugging Face folders of any decoder family: `config.json` decides the family
/// (`model_type`), and the engine's layout names are the HF names, so import and export are a copy per
/// tensor, by name, with every shape checked. GPT-2 folders keep their own reader (`HFCheckpoint`), which
/// also accepts the older GPT-2 spellings.
public enum HFDecoderFolder {
    /// The `model_type` of `<directory>/config.json` (nil when the field is absent).
    public static func modelType(directory: URL) throws(HFCheckpointError) -> String? {
        let url = directory.appendingPathComponent("config.json")
        guard let data = try? Data(RegularFile.read(url.path)) else {
            throw .missingFile(directory: directory.path, file: "config.json",
                               hint: "A Hugging Face model directory needs config.json next to model.safetensors.")
        }
        struct Head: Decodable { let model_type: String? }
        guard let head = try? JSONDecoder().decode(Head.self, from: data) else {
            throw .invalidConfig(file: url.path, detail: "not a JSON object with a string 'model_type'")
        }
        return head.model_type
    }

    /// Loads a Llama-family folder (`config.json` + `model.safetensors` or shards, F32/F16/BF16).
    ///
    /// Skips `rotary_emb.inv_freq` buffers (recomputed); with a tied head accepts `lm_head.weight` in place
    /// of (or equal to) `model.embed_tokens.weight`, as `safetensors.torch.save_model` may keep either name.
    /// - Throws: `HFCheckpointError` naming the file and tensor (unknown, duplicate, missing, mis-shaped).
    /// - Complexity: O(parameters); peak memory ≈ one tensor's Float32 copy plus the model.
    public static func loadLlama(directory: URL) throws(HFCheckpointError) -> GPTModel {
        let configURL = directory.appendingPathComponent("config.json")
        guard let data = try? Data(RegularFile.read(configURL.path)) else {
            throw .missingFile(directory: directory.path, file: "config.json", hint: "A Hugging Face model directory needs config.json.")
        }
        let config = try HFLlamaConfig.parse(data, source: configURL.path)
        let model: GPTModel
        do throws(ModelingError) {
            model = try GPTModel(config: config)
        } catch {
            throw .invalidConfig(file: configURL.path, detail: error.description)
        }
        let embedding = "model.embed_tokens.weight"
        try HFWeightLoader.load(into: model, directory: directory) { t throws(HFCheckpointError) in
            if t.info.name.hasSuffix("rotary_emb.inv_freq") { return nil }
            guard t.info.name == "lm_head.weight" && config.tiedEmbeddings else { return t.info.name }
            // tied: the head is the embedding; keep it only if the embedding itself is absent or equal
            guard t.loaded.contains(embedding) || t.file.tensors.contains(where: { $0.name == embedding }) else { return embedding }
            let head = try HFWeightLoader.floats(t.file, t.info.name)
            let embed = try? model.withParameter(named: embedding) { Array($0) }
            if t.loaded.contains(embedding), let embed, embed.map(\.bitPattern) != head.map(\.bitPattern) {
                throw .untiedHead(file: t.path)
            }
            return nil
        }
        return model
    }

    /// Writes `model` (a Llama-family engine model) as an HF folder: `config.json`, `generation_config.json`
    /// and `model.safetensors` with the layout's names (`{"format": "pt"}` metadata; no `lm_head.weight`
    /// when tied, as `save_pretrained` does).
    public static func exportLlama(_ model: GPTModel, to directory: URL) throws(HFCheckpointError) {
        try HFFolderWriter.writeWeights(model, to: directory)
        try HFFolderWriter.writeText(HFLlamaConfig.jsonText(model.config), to: directory.appendingPathComponent("config.json"))
        let ids = [("bos_token_id", model.config.bosTokenId), ("eos_token_id", model.config.eosTokenId)].compactMap { key, id in
            id.map { "  \"\(key)\": \($0)" }
        }
        try HFFolderWriter.writeText("{\n" + ids.joined(separator: ",\n") + (ids.isEmpty ? "}\n" : "\n}\n"),
                  to: directory.appendingPathComponent("generation_config.json"))
    }
}
