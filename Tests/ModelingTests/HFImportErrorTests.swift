import Foundation
import SafeTensors
import Testing
@testable import Modeling

/// Every way an HF directory can be wrong gives a specific error that names the file and the tensor.
@Suite struct HFImportErrorTests {
    /// Exports the tiny checkpoint, then lets `edit` rewrite the tensors and `configEdit` the config text.
    static func directory(
        editTensors edit: (inout [(String, [Int], [Float])]) -> Void = { _ in },
        editConfig configEdit: (String) -> String = { $0 }
    ) throws -> URL {
        let directory = try HFTestSupport.temporaryDirectory()
        let checkpoint = HFTestSupport.randomCheckpoint()
        try checkpoint.export(to: directory)
        var tensors = checkpoint.config.weightSpecs.map { ("transformer." + $0.name, $0.shape, checkpoint.weights[$0.name]!) }
        edit(&tensors)
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        for (name, shape, values) in tensors { try writer.addFloat32(name, shape: shape, values: values) }
        try writer.write(to: directory.appendingPathComponent("model.safetensors"))
        let configURL = directory.appendingPathComponent("config.json")
        let text = try String(contentsOf: configURL, encoding: .utf8)
        try Data(configEdit(text).utf8).write(to: configURL)
        return directory
    }

    static func importError(_ directory: URL) -> HFCheckpointError? {
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            _ = try HFCheckpoint.read(directory: directory)
            return nil
        } catch {
            return error
        }
    }

    @Test func shapeMismatchNamesTheTensorAndBothShapes() throws {
        let directory = try Self.directory(editConfig: { $0.replacingOccurrences(of: "\"vocab_size\": 11", with: "\"vocab_size\": 12") })
        let path = directory.appendingPathComponent("model.safetensors").path
        let error = try #require(Self.importError(directory))
        #expect(error == .shapeMismatch(file: path, tensor: "transformer.wte.weight", expected: [12, 8], found: [11, 8]))
        #expect(error.description == "\(path): weight 'transformer.wte.weight' has shape [11, 8] but config.json implies "
            + "[12, 8]. The weights and config.json belong to different models.")
    }

    @Test func untiedLMHeadIsRejected() throws {
        let directory = try Self.directory(editTensors: { tensors in
            var head = tensors[0].2
            head[0] += 1
            tensors.append(("lm_head.weight", [11, 8], head))
        })
        let path = directory.appendingPathComponent("model.safetensors").path
        #expect(Self.importError(directory) == .untiedHead(file: path))
    }

    @Test func tiedLMHeadIsAccepted() throws {
        let directory = try Self.directory(editTensors: { $0.append(("lm_head.weight", [11, 8], $0[0].2)) })
        #expect(Self.importError(directory) == nil)
    }

    @Test func anUntiedConfigNeedsAnEqualHead() throws {
        let untie: (String) -> String = { $0.replacingOccurrences(of: "\"tie_word_embeddings\": true", with: "\"tie_word_embeddings\": false") }
        var directory = try Self.directory(editConfig: untie)
        let path = directory.appendingPathComponent("config.json").path
        #expect(Self.importError(directory) == .unsupportedConfig(
            file: path, field: "tie_word_embeddings", value: "false",
            fix: "The checkpoint has no 'lm_head.weight'; Lathe ties the head to 'wte.weight', so export a tied model."))
        directory = try Self.directory(editTensors: { $0.append(("lm_head.weight", [11, 8], $0[0].2)) }, editConfig: untie)
        #expect(Self.importError(directory) == nil)
    }

    @Test func missingUnexpectedAndDuplicateTensorsAreNamed() throws {
        var directory = try Self.directory(editTensors: { $0.removeAll { $0.0 == "transformer.ln_f.bias" } })
        var path = directory.appendingPathComponent("model.safetensors").path
        #expect(Self.importError(directory) == .missingTensor(file: path, tensor: "ln_f.bias"))

        directory = try Self.directory(editTensors: { $0.append(("score.weight", [2, 8], [Float](repeating: 0, count: 16))) })
        path = directory.appendingPathComponent("model.safetensors").path
        #expect(Self.importError(directory) == .unexpectedTensor(file: path, tensor: "score.weight"))

        directory = try Self.directory(editTensors: { $0.append(("wte.weight", [11, 8], $0[0].2)) })
        path = directory.appendingPathComponent("model.safetensors").path
        #expect(Self.importError(directory) == .duplicateTensor(file: path, tensor: "wte.weight"))
    }

    @Test func unsupportedConfigsSayWhy() throws {
        var directory = try Self.directory(editConfig: { $0.replacingOccurrences(of: "\"gpt2\"", with: "\"falcon\"") })
        var path = directory.appendingPathComponent("config.json").path
        #expect(Self.importError(directory) == .unsupportedConfig(
            file: path, field: "model_type", value: "'falcon'", fix: "Lathe runs decoders with model_type gpt2, llama, qwen2 and mistral."))

        directory = try Self.directory(editConfig: { $0.replacingOccurrences(of: "\"gelu_new\"", with: "\"relu\"") })
        path = directory.appendingPathComponent("config.json").path
        #expect(Self.importError(directory) == .unsupportedConfig(
            file: path, field: "activation_function", value: "'relu'", fix: "Lathe implements the tanh approximation only ('gelu_new')."))

        directory = try Self.directory(editConfig: { $0.replacingOccurrences(of: "\"n_layer\": 2", with: "\"n_layer\": true") })
        path = directory.appendingPathComponent("config.json").path
        #expect(Self.importError(directory) == .invalidConfig(file: path, detail: "'n_layer' must be a positive integer"))

        directory = try Self.directory(editConfig: { $0.replacingOccurrences(of: "\"n_head\": 2", with: "\"n_head\": 3") })
        path = directory.appendingPathComponent("config.json").path
        #expect(Self.importError(directory) == .invalidConfig(file: path, detail: "n_embd 8 is not divisible by n_head 3"))
    }

    @Test func missingFilesSayWhatToDo() throws {
        var directory = try Self.directory()
        try FileManager.default.removeItem(at: directory.appendingPathComponent("config.json"))
        #expect(Self.importError(directory) == .missingFile(
            directory: directory.path, file: "config.json",
            hint: "A Hugging Face model directory needs config.json next to model.safetensors."))

        directory = try Self.directory()
        try FileManager.default.moveItem(at: directory.appendingPathComponent("model.safetensors"),
                                         to: directory.appendingPathComponent("pytorch_model.bin"))
        let error = try #require(Self.importError(directory))
        #expect(error.description.contains("Only 'pytorch_model.bin' is present; convert it with"))
    }

    @Test func exportRejectsIncompleteWeights() throws {
        var checkpoint = HFTestSupport.randomCheckpoint()
        checkpoint.weights["h.1.ln_2.bias"] = [1, 2]
        #expect(throws: HFCheckpointError.invalidParameters(detail: "weight 'h.1.ln_2.bias' has 2 values but shape [8] needs 8")) {
            try checkpoint.export(to: FileManager.default.temporaryDirectory.appendingPathComponent("never-written"))
        }
    }
}
