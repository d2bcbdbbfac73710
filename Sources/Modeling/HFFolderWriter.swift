import Foundation
import SafeTensors

/// The file writing every HF folder export shares (Llama-family, classifier and BERT folders): the
/// weights as one `model.safetensors` in layout order with `{"format": "pt"}` metadata, and text files
/// written atomically. Errors name the path.
enum HFFolderWriter {
    /// Creates `directory` and writes the model's parameters to `model.safetensors`, each under
    /// `name(parameter)` (the layout's HF name unless a folder type prefixes it).
    /// - Complexity: O(parameters); one extra copy of the parameters while writing.
    static func writeWeights(_ model: GPTModel, to directory: URL,
                             name: (ParameterInfo) -> String = { $0.name }) throws(HFCheckpointError) {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory.path, detail: "cannot create the directory (\(error.localizedDescription))")
        }
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        let all = model.parameterValues()
        do throws(SafeTensorsError) {
            for p in model.layout.parameters {
                try writer.addFloat32(name(p), shape: p.shape, values: Array(all[p.offset..<(p.offset + p.count)]))
            }
            try writer.write(to: directory.appendingPathComponent("model.safetensors"))
        } catch {
            throw .safeTensors(error)
        }
    }

    /// Writes `text` to `url` atomically.
    static func writeText(_ text: String, to url: URL) throws(HFCheckpointError) {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .io(path: url.path, detail: "cannot write (\(error.localizedDescription))")
        }
    }
}
