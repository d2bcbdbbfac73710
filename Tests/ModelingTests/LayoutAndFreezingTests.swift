import Modeling
import Testing

@Suite struct LayoutAndFreezingTests {
    @Test func layoutUsesHFNamesShapesAndOneContiguousBuffer() {
        let c = GPTConfig(vocabSize: 50, nPositions: 16, nEmbd: 8, nLayer: 2, nHead: 2)
        let layout = ParameterLayout(config: c)
        #expect(layout.parameters.first?.name == "transformer.wte.weight")
        #expect(layout.parameters.last?.name == "transformer.ln_f.bias")
        let attn = layout.info("transformer.h.1.attn.c_attn.weight")
        #expect(attn?.shape == [8, 24])
        #expect(attn?.layer == 1)
        #expect(attn?.decays == true)
        #expect(attn?.moduleName == "c_attn")
        #expect(layout.info("transformer.h.0.mlp.c_proj.weight")?.shape == [32, 8])
        #expect(layout.info("transformer.h.0.mlp.c_proj.weight")?.blockModule == "mlp.c_proj")
        #expect(layout.info("transformer.h.0.mlp.c_proj.bias")?.decays == false)
        #expect(layout.info("transformer.h.0.ln_1.weight")?.matchesModule("ln_1") == true)
        #expect(layout.info("transformer.h.0.attn.c_proj.weight")?.matchesModule("c_proj") == true)
        #expect(layout.info("transformer.wte.weight")?.layer == nil)
        // HF GPT-2's count: V·C + P·C + L·(12C² + 13C) + 2C
        #expect(layout.totalCount == 50 * 8 + 16 * 8 + 2 * (12 * 64 + 13 * 8) + 16)
        var next = 0
        for p in layout.parameters { #expect(p.offset == next); next += p.count }
    }

    @Test func trainableLayersFollowLlamaFactorySigns() throws {
        let layout = ParameterLayout(config: Fixtures.tiny)
        let last = try Freezing(trainableLayers: 1).trainableFlags(layout: layout, nLayer: 2)
        let first = try Freezing(trainableLayers: -1).trainableFlags(layout: layout, nLayer: 2)
        for (i, p) in layout.parameters.enumerated() {
            #expect(last[i] == (p.layer == 1), "\(p.name)")
            #expect(first[i] == (p.layer == 0), "\(p.name)")
        }
    }

    @Test("Name patterns are searched anywhere in the HF name, as Python's re.search, and anchors still pin an end")
    func namePatternsAreSearchedInTheName() throws {
        let layout = ParameterLayout(config: Fixtures.tiny)
        let only = try Freezing(unfrozenParameters: [#"transformer\.h\.[0-9]+\.mlp\."#]).trainableFlags(layout: layout, nLayer: 2)
        for (i, p) in layout.parameters.enumerated() { #expect(only[i] == p.name.contains(".mlp."), "\(p.name)") }
        // issue 22 #1: `h\.1\.mlp` used to match nothing (it is not at the start) and train nothing
        let inner = try Freezing(unfrozenParameters: [#"h\.1\.mlp"#]).trainableFlags(layout: layout, nLayer: 2)
        for (i, p) in layout.parameters.enumerated() { #expect(inner[i] == p.name.hasPrefix("transformer.h.1.mlp"), "\(p.name)") }
        let anchored = try Freezing(unfrozenParameters: [#"^transformer\.h\.1\."#, #"ln_f\.bias$"#]).trainableFlags(layout: layout, nLayer: 2)
        for (i, p) in layout.parameters.enumerated() {
            #expect(anchored[i] == (p.name.hasPrefix("transformer.h.1.") || p.name == "transformer.ln_f.bias"), "\(p.name)")
        }
        let frozen = try Freezing(frozenLayers: [0], frozenParameters: ["transformer.wpe"]).trainableFlags(layout: layout, nLayer: 2)
        for (i, p) in layout.parameters.enumerated() { #expect(frozen[i] == !(p.layer == 0 || p.name.hasPrefix("transformer.wpe")), "\(p.name)") }
        #expect(throws: ModelingError.invalidPattern("([")) { try Freezing(unfrozenParameters: ["(["]).trainableFlags(layout: layout, nLayer: 2) }
        #expect(throws: ModelingError.self) { try Freezing(trainableLayers: 3).trainableFlags(layout: layout, nLayer: 2) }
    }

    @Test("A pattern that matches no parameter is refused with example names, alone or beside patterns that match")
    func aPatternMatchingNothingIsRefused() throws {
        let layout = ParameterLayout(config: Fixtures.tiny)
        for patterns in [["model\\.layers\\.1"], ["mlp", "h\\.7\\."]] {
            let error = #expect(throws: ModelingError.self) { try Freezing(unfrozenParameters: patterns).trainableFlags(layout: layout, nLayer: 2) }
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains("'\(patterns.last!)' matches no parameter") && text.contains("'transformer.wte.weight'"), "\(text)")
        }
    }

    @Test func configCodesWithHFKeys() throws {
        let json = #"{"vocab_size": 10, "n_positions": 4, "n_embd": 6, "n_layer": 1, "n_head": 3, "model_type": "gpt2", "eos_token_id": 9}"#
        let c = try JSONDecoder().decode(GPTConfig.self, from: Data(json.utf8))
        #expect(c == GPTConfig(vocabSize: 10, nPositions: 4, nEmbd: 6, nLayer: 1, nHead: 3, eosTokenId: 9))
        let back = String(decoding: try JSONEncoder().encode(c), as: UTF8.self)
        #expect(back.contains("\"n_embd\":6") && back.contains("\"layer_norm_epsilon\""))
        #expect(throws: ModelingError.self) { try GPTConfig(vocabSize: 10, nPositions: 4, nEmbd: 6, nLayer: 1, nHead: 4).validate() }
    }
}

import Foundation
