import Foundation
import TestSupport
import Testing
@testable import Modeling

/// Lathe trains without dropout (only `lora_dropout` exists), so every exported `config.json` says 0.0 for
/// each dropout probability its family has: `transformers` training from the export then behaves as Lathe did.
@Suite struct ExportedDropoutTests {
    static let bert: GPTConfig = {
        var c = GPTConfig(family: .bert, modelType: "bert", vocabSize: 30, nPositions: 16, nEmbd: 8, nLayer: 1, nHead: 2,
                          nKVHead: 2, headDim: nil, intermediateSize: 16, layerNormEpsilon: 1e-12,
                          qkvBias: true, outputBias: true, mlpBias: true)
        c.typeVocabSize = 2
        return c
    }()

    /// The family's tiny random model and the dropout keys its config.json must hold.
    static func model(_ family: String) throws -> (GPTModel, [String]) {
        switch family {
        case "gpt2": return (try GPTModel(config: Fixtures.tiny, seed: 1), HFGPT2Config.dropoutKeys)
        case "llama": return (try GPTModel(config: Fixtures.tinyLlama, seed: 1), HFLlamaConfig.dropoutKeys)
        default: return (try GPTModel(config: bert, seed: 1), HFBertConfig.dropoutKeys)
        }
    }

    static func config(_ directory: URL) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: directory.appendingPathComponent("config.json"))) as? [String: Any])
    }

    @Test("An exported model's and classifier's config.json set every dropout probability to 0",
          arguments: ["gpt2", "llama", "bert"])
    func exportedDropoutsAreZero(family: String) throws {
        let (model, keys) = try Self.model(family)
        #expect(!keys.isEmpty)
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = directory.appendingPathComponent("model"), classifier = directory.appendingPathComponent("classifier")
        try model.exportHF(to: plain)
        try HFClassifierFolder.export(try model.withClassificationHead(numLabels: 2, seed: 3), labels: ["a", "b"], to: classifier)
        for folder in [plain, classifier] {
            let config = try Self.config(folder)
            for key in keys {
                let value = try #require(config[key] as? Double, "\(family) \(folder.lastPathComponent): \(key) missing")
                #expect(value == 0, "\(family) \(folder.lastPathComponent): \(key) = \(value)")
            }
            // no other probability-like dropout key survives at a non-zero value
            for (key, value) in config where key.contains("drop") {
                #expect((value as? Double) == 0, "\(family) \(folder.lastPathComponent): \(key) = \(value)")
            }
        }
    }

    @Test("A GPT-2 config.json imported with dropout 0.1 is exported with dropout 0")
    func importedDropoutIsNotCarriedOver() throws {
        let fixture = HFTestSupport.testsDirectory.appendingPathComponent("HFFixtures/tiny-gpt2")
        let original = try Self.config(fixture)
        #expect(original["attn_pdrop"] as? Double == 0.1)
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try HFCheckpoint.read(directory: fixture).export(to: directory)
        let exported = try Self.config(directory)
        for key in HFGPT2Config.dropoutKeys { #expect(exported[key] as? Double == 0, "\(key)") }
    }

    @Test("transformers in training mode gives the exports' outputs bit for bit twice, as without dropout")
    func transformersTrainingModeIsDeterministic() throws {
        let directory = try HFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var folders: [String] = []
        for family in ["gpt2", "llama", "bert"] {
            let folder = directory.appendingPathComponent(family)
            try Self.model(family).0.exportHF(to: folder)
            folders.append(folder.path)
        }
        // In train() mode any non-zero dropout changes the outputs between two seeds.
        let script = """
            import sys, torch, transformers
            for path in sys.argv[1:]:
                model = transformers.AutoModel.from_pretrained(path)
                model.train()
                ids = torch.tensor([[1, 2, 3, 4, 5, 6]])
                outs = []
                for seed in (1, 2):
                    torch.manual_seed(seed)
                    outs.append(model(input_ids=ids).last_hidden_state)
                print(path.rsplit('/', 1)[1], bool(torch.equal(outs[0], outs[1])))
            """
        let output = try Python.run(["-c", script] + folders)
        for family in ["gpt2", "llama", "bert"] {
            #expect(output.contains("\(family) True"), "\(output)")
        }
    }
}
