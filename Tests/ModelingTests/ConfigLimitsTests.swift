import Foundation
import Testing
@testable import Modeling

/// config.json files claiming absurd shapes are refused at parse time, naming the field and the
/// limit, before anything is allocated for them; GPTConfig holds the same limits.
@Suite struct ConfigLimitsTests {
    @Test(arguments: [
        ("vocab_size", 1_000_000_000_000), ("n_layer", 1_000_000), ("n_embd", 1_000_000_000),
        ("n_positions", 1 << 62), ("n_head", 1 << 20), ("n_inner", 1 << 40),
    ])
    func absurdConfigIsRefusedNamingTheField(field: String, value: Int) throws {
        var object: [String: Any] = ["model_type": "gpt2", "vocab_size": 300, "n_positions": 32, "n_embd": 16, "n_layer": 1, "n_head": 2]
        object[field] = value
        if field == "n_embd" { object["n_head"] = 1 }
        let data = try JSONSerialization.data(withJSONObject: object)
        let error = #expect(throws: HFCheckpointError.self) { try HFGPT2Config.parse(data, source: "hf/config.json") }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("hf/config.json") && text.contains("\(field) \(value) exceeds Lathe's limit"), "\(text)")
    }

    @Test func gptConfigValidationHoldsTheSameLimits() {
        let config = GPTConfig(vocabSize: GPTConfig.maxVocabSize + 1, nPositions: 16, nEmbd: 16, nLayer: 1, nHead: 2)
        #expect(throws: ModelingError.self) { try config.validate() }
        #expect(throws: Never.self) {
            try GPTConfig(vocabSize: GPTConfig.maxVocabSize, nPositions: 16, nEmbd: 16, nLayer: 1, nHead: 2).validate()
        }
    }
}
