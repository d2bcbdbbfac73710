public import Foundation
import SafeTensors

/// Copies the safetensors weights of a Hugging Face folder (`model.safetensors` or the shards its index
/// names; F32/F16/BF16/F64) into an engine model's parameters, one tensor at a time. Every stored tensor
/// must name a parameter (after the family's renaming) of the stored shape, and every parameter must be
/// filled exactly once. The decoder, encoder and classifier folder readers differ only in the renaming.
enum HFWeightLoader {
    /// One stored tensor as the family's reader sees it: its file, the names loaded so far.
    struct StoredTensor {
        let info: SafeTensorInfo
        let file: SafeTensorsFile
        let path: String
        let loaded: Set<String>
    }

    /// Fills every parameter of `model` from `directory`'s weight files.
    /// - Parameter parameterName: the engine parameter a stored tensor loads into, or nil to skip it
    ///   (buffers such as `rotary_emb.inv_freq`, task heads another reader owns).
    /// - Throws: `HFCheckpointError` naming the file and tensor: unknown, duplicate, mis-shaped, missing
    ///   (named against `model.safetensors`, or the index for shards), or unreadable.
    /// - Complexity: O(parameters); peak memory ≈ one tensor's Float32 copy plus the model.
    static func load(into model: GPTModel, directory: URL,
                     parameterName: (StoredTensor) throws(HFCheckpointError) -> String?) throws(HFCheckpointError) {
        let paths = try HFCheckpoint.weightFilePaths(directory: directory)
        var loaded = Set<String>()
        for path in paths {
            let file = try weightFile(path)
            for info in file.tensors {
                guard let name = try parameterName(StoredTensor(info: info, file: file, path: path, loaded: loaded)) else { continue }
                guard let p = model.layout.info(name) else { throw .unexpectedTensor(file: path, tensor: info.name) }
                guard loaded.insert(name).inserted else { throw .duplicateTensor(file: path, tensor: info.name) }
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
            }
        }
        let mainFile = paths.count == 1 ? paths[0] : directory.appendingPathComponent("model.safetensors.index.json").path
        for p in model.layout.parameters where !loaded.contains(p.name) {
            throw .missingTensor(file: mainFile, tensor: p.name)
        }
    }

    /// One weight file, its header checked (tensors are read later, one at a time).
    static func weightFile(_ path: String) throws(HFCheckpointError) -> SafeTensorsFile {
        do throws(SafeTensorsError) {
            return try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .safeTensors(error)
        }
    }

    /// A stored tensor as Float32 values (the tied-head check compares them bit for bit).
    static func floats(_ file: SafeTensorsFile, _ name: String) throws(HFCheckpointError) -> [Float] {
        do throws(SafeTensorsError) {
            return try file.floats(name)
        } catch {
            throw .safeTensors(error)
        }
    }
}
