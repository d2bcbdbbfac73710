import Foundation
import SafeTensors
import Testing
@testable import Modeling

/// A damaged Llama-family folder is refused before anything is built from it, naming the file and the
/// tensor or field: an unknown architecture or activation, inconsistent heads, a missing, misshapen or
/// unknown tensor.
@Suite struct LlamaImportErrorTests {
    static let config = GPTConfig(family: .llama, modelType: "llama", vocabSize: 20, nPositions: 16, nEmbd: 8, nLayer: 1,
                                  nHead: 2, nKVHead: 1, headDim: nil, intermediateSize: 12, layerNormEpsilon: 1e-5)

    /// An exported folder, with its config text and tensors edited.
    static func folder(config edit: (String) -> String = { $0},
                       tensors: ([(String, [Int], [Float])]) -> [(String, [Int], [Float])] = { $0 }) throws -> URL {
        let dir = try HFTestSupport.temporaryDirectory()
        let model = try GPTModel(config: config, seed: 1)
        try model.exportHF(to: dir)
        let configURL = dir.appendingPathComponent("config.json")
        try Data(edit(try String(contentsOf: configURL, encoding: .utf8)).utf8).write(to: configURL)
        let values = model.parameterValues()
        var list = model.layout.parameters.map { ($0.name, $0.shape, Array(values[$0.offset..<($0.offset + $0.count)])) }
        list = tensors(list)
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        for (name, shape, v) in list { try writer.addFloat32(name, shape: shape, values: v) }
        try writer.write(to: dir.appendingPathComponent("model.safetensors"))
        return dir
    }

    static func error(_ dir: URL) -> HFCheckpointError? {
        defer { try? FileManager.default.removeItem(at: dir) }
        do { _ = try GPTModel.loadHF(directory: dir); return nil } catch { return error }
    }

    @Test("Unsupported config fields are refused with the field and the fix")
    func unsupportedConfigs() throws {
        var dir = try Self.folder(config: { $0.replacingOccurrences(of: "\"silu\"", with: "\"gelu\"") })
        var path = dir.appendingPathComponent("config.json").path
        #expect(Self.error(dir) == .unsupportedConfig(file: path, field: "hidden_act", value: "'gelu'",
                                                      fix: "Lathe's Llama-family MLP is SwiGLU with silu."))
        dir = try Self.folder(config: { $0.replacingOccurrences(of: "\"num_key_value_heads\": 1", with: "\"num_key_value_heads\": 3") })
        path = dir.appendingPathComponent("config.json").path
        let heads = Self.error(dir)
        #expect(heads.map { "\($0)".contains("num_key_value_heads (3) must divide num_attention_heads (2)") } == true, "\(String(describing: heads))")
        dir = try Self.folder(config: { $0.replacingOccurrences(of: "\"rope_scaling\": null", with: "\"rope_scaling\": {\"rope_type\": \"yarn\"}") })
        #expect(Self.error(dir).map { "\($0)".contains("rope_type 'yarn'") } == true)
    }

    @Test("A missing, misshapen or unknown tensor is refused naming the file and the tensor")
    func damagedTensors() throws {
        var dir = try Self.folder(tensors: { $0.filter { $0.0 != "model.layers.0.self_attn.k_proj.weight" } })
        var path = dir.appendingPathComponent("model.safetensors").path
        #expect(Self.error(dir) == .missingTensor(file: path, tensor: "model.layers.0.self_attn.k_proj.weight"))
        dir = try Self.folder(tensors: { $0.map { $0.0 == "model.layers.0.mlp.up_proj.weight" ? ($0.0, [8, 12], $0.2) : $0 } })
        path = dir.appendingPathComponent("model.safetensors").path
        #expect(Self.error(dir) == .shapeMismatch(file: path, tensor: "model.layers.0.mlp.up_proj.weight", expected: [12, 8], found: [8, 12]))
        dir = try Self.folder(tensors: { $0 + [("model.layers.0.self_attn.q_norm.weight", [4], [1, 1, 1, 1])] })
        path = dir.appendingPathComponent("model.safetensors").path
        #expect(Self.error(dir) == .unexpectedTensor(file: path, tensor: "model.layers.0.self_attn.q_norm.weight"))
    }
}
