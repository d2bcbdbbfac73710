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
        let paths = try HFCheckpoint.weightFilePaths(directory: directory)
        var loaded = Set<String>()
        let embedding = "model.embed_tokens.weight"
        for path in paths {
            let file: SafeTensorsFile
            do throws(SafeTensorsError) {
                file = try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw .safeTensors(error)
            }
            for info in file.tensors {
                if info.name.hasSuffix("rotary_emb.inv_freq") { continue }
                var name = info.name
                if name == "lm_head.weight" && config.tiedEmbeddings {
                    // tied: the head is the embedding; keep it only if the embedding itself is absent or equal
                    if loaded.contains(embedding) || file.tensors.contains(where: { $0.name == embedding }) {
                        let head = try floats(file, info.name)
                        let embed = try? model.withParameter(named: embedding) { Array($0) }
                        if loaded.contains(embedding), let embed, embed.map(\.bitPattern) != head.map(\.bitPattern) {
                            throw .untiedHead(file: path)
                        }
                        continue
                    }
                    name = embedding
                }
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

    private static func floats(_ file: SafeTensorsFile, _ name: String) throws(HFCheckpointError) -> [Float] {
        do throws(SafeTensorsError) { return try file.floats(name) } catch { throw .safeTensors(error) }
    }
}
