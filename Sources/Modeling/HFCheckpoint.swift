public import Foundation
import SafeTensors

/// A Hugging Face GPT-2 checkpoint in memory: the config and every weight by its bare HF name
/// (`wte.weight`, `h.0.attn.c_attn.weight`, …; no `transformer.` prefix), Float32, row-major, Conv1D `[in, out]`.
///
/// This is the exchange format between Lathe's engine and the files `transformers` reads and writes:
/// `export(to:)` writes `config.json`, `generation_config.json` and `model.safetensors` the way
/// `GPT2LMHeadModel.save_pretrained` does; `read(directory:)` accepts what the hub and other tools publish.
public struct HFCheckpoint: Sendable {
    public var config: HFGPT2Config
    /// Weights by bare HF name; must hold exactly `config.weightSpecs` with matching element counts.
    public var weights: [String: [Float]]

    public init(config: HFGPT2Config, weights: [String: [Float]]) {
        self.config = config
        self.weights = weights
    }

    /// Checks that `weights` holds exactly the config's tensors with the right element counts.
    public func validate() throws(HFCheckpointError) {
        let specs = config.weightSpecs
        for spec in specs {
            guard let values = weights[spec.name] else { throw .invalidParameters(detail: "weight '\(spec.name)' is missing") }
            guard values.count == spec.elementCount else {
                throw .invalidParameters(
                    detail: "weight '\(spec.name)' has \(values.count) values but shape \(spec.shape) needs \(spec.elementCount)")
            }
        }
        if weights.count != specs.count {
            let known = Set(specs.map(\.name))
            let extra = weights.keys.filter { !known.contains($0) }.sorted()
            throw .invalidParameters(detail: "unknown weight names \(extra.prefix(5)); use bare HF GPT-2 names like 'h.0.ln_1.weight'")
        }
    }

    /// Writes `config.json`, `generation_config.json` and `model.safetensors` into `directory` (created if
    /// needed). Tensor names carry the `transformer.` prefix, the tied `lm_head.weight` is not written (as
    /// `save_pretrained` does), and the metadata is `{"format": "pt"}` so every `transformers` version loads it.
    /// - Complexity: O(parameters) time; one extra copy of the weights while serializing.
    public func export(to directory: URL) throws(HFCheckpointError) {
        try validate()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory.path, detail: "cannot create the directory (\(error.localizedDescription))")
        }
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        do throws(SafeTensorsError) {
            for spec in config.weightSpecs {
                try writer.addFloat32("transformer." + spec.name, shape: spec.shape, values: weights[spec.name]!)
            }
            try writer.write(to: directory.appendingPathComponent("model.safetensors"))
        } catch {
            throw .safeTensors(error)
        }
        try Self.writeText(config.jsonText(), to: directory.appendingPathComponent("config.json"))
        let ids = [("bos_token_id", config.bosTokenID), ("eos_token_id", config.eosTokenID)].compactMap { key, id in
            id.map { "  \"\(key)\": \($0)" }
        }
        let generation = "{\n" + ids.joined(separator: ",\n") + (ids.isEmpty ? "}\n" : "\n}\n")
        try Self.writeText(generation, to: directory.appendingPathComponent("generation_config.json"))
    }

    private static func writeText(_ text: String, to url: URL) throws(HFCheckpointError) {
        do {
            try Data(text.utf8).write(to: url, options: .atomic)
        } catch {
            throw .io(path: url.path, detail: "cannot write (\(error.localizedDescription))")
        }
    }
}
