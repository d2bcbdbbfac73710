public import Foundation
import SafeTensors
import Files

extension HFCheckpoint {
    /// Reads a Hugging Face GPT-2 directory: `config.json` plus `model.safetensors` (or the shards listed in
    /// `model.safetensors.index.json`).
    ///
    /// Accepts names with or without the `transformer.` prefix, skips the causal-mask buffers
    /// `h.N.attn.bias` / `h.N.attn.masked_bias` of older exports, accepts `lm_head.weight` only when it equals
    /// `wte.weight` (tied), and converts F16/BF16/F64 weights to Float32. Every shape is checked against the config.
    /// - Throws: `HFCheckpointError` naming the file and tensor.
    /// - Complexity: O(parameters); peak memory ≈ file size + Float32 weights.
    public static func read(directory: URL) throws(HFCheckpointError) -> HFCheckpoint {
        let config = try HFGPT2Config.read(directory: directory)
        let specs = Dictionary(uniqueKeysWithValues: config.weightSpecs.map { ($0.name, $0) })
        var weights: [String: [Float]] = [:]
        var lmHead: (file: String, values: [Float], shape: [Int])?
        let paths = try weightFilePaths(directory: directory)
        for path in paths {
            let file = try HFWeightLoader.weightFile(path)
            for info in file.tensors {
                let name = info.name.hasPrefix("transformer.") ? String(info.name.dropFirst("transformer.".count)) : info.name
                if isCausalMaskBuffer(name) { continue }  // recomputed by the engine; never trained
                if name == "lm_head.weight" {
                    lmHead = (path, try HFWeightLoader.floats(file, info.name), info.shape)
                    continue
                }
                guard let spec = specs[name] else { throw .unexpectedTensor(file: path, tensor: info.name) }
                guard weights[name] == nil else { throw .duplicateTensor(file: path, tensor: name) }
                guard info.shape == spec.shape else {
                    throw .shapeMismatch(file: path, tensor: info.name, expected: spec.shape, found: info.shape)
                }
                weights[name] = try HFWeightLoader.floats(file, info.name)
            }
        }
        let mainFile = paths.count == 1 ? paths[0] : directory.appendingPathComponent("model.safetensors.index.json").path
        for spec in config.weightSpecs where weights[spec.name] == nil {
            throw .missingTensor(file: mainFile, tensor: spec.name)
        }
        if lmHead == nil && !config.tieWordEmbeddings {
            // An untied config without a head leaves transformers to initialize it randomly; nothing Lathe can load.
            throw .unsupportedConfig(
                file: directory.appendingPathComponent("config.json").path, field: "tie_word_embeddings", value: "false",
                fix: "The checkpoint has no 'lm_head.weight'; Lathe ties the head to 'wte.weight', so export a tied model.")
        }
        if let lmHead {
            // safe because the loop above guaranteed wte.weight is present.
            guard lmHead.shape == [config.vocabSize, config.nEmbd],
                  lmHead.values.map(\.bitPattern) == weights["wte.weight"]!.map(\.bitPattern) else {
                throw .untiedHead(file: lmHead.file)
            }
        }
        return HFCheckpoint(config: config, weights: weights)
    }

    /// `h.<n>.attn.bias` and `h.<n>.attn.masked_bias`: the causal-mask buffers older exports include.
    static func isCausalMaskBuffer(_ name: String) -> Bool {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts[0] == "h" && Int(parts[1]) != nil && parts[2] == "attn"
            && (parts[3] == "bias" || parts[3] == "masked_bias")
    }

    /// `model.safetensors`, or the shard files named by `model.safetensors.index.json` (sorted, deduplicated).
    static func weightFilePaths(directory: URL) throws(HFCheckpointError) -> [String] {
        let fileManager = FileManager.default
        let single = directory.appendingPathComponent("model.safetensors")
        if fileManager.fileExists(atPath: single.path) { return [single.path] }
        let index = directory.appendingPathComponent("model.safetensors.index.json")
        guard let data = try? Data(RegularFile.read(index.path)) else {
            let hasPickle = fileManager.fileExists(atPath: directory.appendingPathComponent("pytorch_model.bin").path)
            throw .missingFile(
                directory: directory.path, file: "model.safetensors",
                hint: hasPickle
                    ? "Only 'pytorch_model.bin' is present; convert it with `GPT2LMHeadModel.from_pretrained(dir)"
                        + ".save_pretrained(dir, safe_serialization=True)`."
                    : "Export the model with `save_pretrained` (safetensors is the default format).")
        }
        struct Index: Decodable { let weight_map: [String: String] }
        let shards: [String]
        do {
            shards = Set(try JSONDecoder().decode(Index.self, from: data).weight_map.values).sorted()
        } catch {
            throw .invalidConfig(file: index.path, detail: "not a safetensors index with a \"weight_map\" object")
        }
        for shard in shards where shard.contains("/") || shard.hasPrefix(".") {
            // Shards must live beside the index; a path could otherwise point anywhere on disk.
            throw .invalidConfig(file: index.path, detail: "shard name '\(shard)' is not a plain file name")
        }
        return shards.map { directory.appendingPathComponent($0).path }
    }
}
