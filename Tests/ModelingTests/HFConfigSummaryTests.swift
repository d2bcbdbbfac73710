import Foundation
import JSONText
import Modeling
import Testing

@Suite struct HFConfigSummaryTests {
    @Test("Each family's spelling of the context length is read, GPT-2's first")
    func contextLengthSpellings() {
        func summary(_ text: String) -> HFConfigSummary? { HFConfigSummary(json: Array(text.utf8)) }
        #expect(summary(#"{"model_type": "gpt2", "vocab_size": 50257, "n_positions": 1024, "n_ctx": 512}"#)
            == HFConfigSummary(modelType: "gpt2", vocabSize: 50257, contextLength: 1024))
        #expect(summary(#"{"n_ctx": 512}"#)?.contextLength == 512)
        #expect(summary(#"{"model_type": "llama", "max_position_embeddings": 8192}"#)?.contextLength == 8192)
        #expect(summary(#"{"model_type": 3, "vocab_size": 1.5}"#) == HFConfigSummary(modelType: nil, vocabSize: nil, contextLength: nil))
        #expect(summary("[1]") == nil)
        #expect(summary("{") == nil)
    }

    @Test("An adapter config's base is read as written, and rewriting it keeps every other field")
    func adapterBaseModel() throws {
        #expect(PEFTAdapter.baseModelName(configJSON: Array(#"{"base_model_name_or_path": "models/base", "r": 8}"#.utf8)) == "models/base")
        #expect(PEFTAdapter.baseModelName(configJSON: Array(#"{"r": 8}"#.utf8)) == nil)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-peft-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent(PEFTAdapter.configFile)
        try Data(#"{"peft_type": "LORA", "base_model_name_or_path": "base", "r": 2, "lora_dropout": 0.05, "x": null}"#.utf8).write(to: url)
        try PEFTAdapter.setBaseModel("/abs/base", in: dir)
        let rewritten = try JSONValue.parse(Data(contentsOf: url))
        #expect(rewritten == ["peft_type": "LORA", "base_model_name_or_path": "/abs/base", "r": .int(2), "lora_dropout": .double(0.05), "x": .null])
    }
}
