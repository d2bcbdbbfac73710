import Compute
import Foundation
import Testing
@testable import GGUF
@testable import Modeling

/// Lathe's GGUF v3 writer against gguf-py's reader and transformers' GGUF loader, and against itself.
@Suite(.serialized) struct GGUFWriterTests {
    static let ids: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]

    /// One value of every metadata type, arrays (of strings, numbers, bools, arrays) included.
    static let metadata: [(String, GGUFValue)] = [
        ("general.architecture", .string("llama")), ("t.u8", .uint8(200)), ("t.i8", .int8(-100)), ("t.u16", .uint16(60_000)),
        ("t.i16", .int16(-30_000)), ("t.u32", .uint32(4_000_000_000)), ("t.i32", .int32(-2_000_000_000)), ("t.f32", .float32(0.25)),
        ("t.bool", .bool(true)), ("t.string", .string("héllo ✓")), ("t.u64", .uint64(1 << 60)), ("t.i64", .int64(-(1 << 60))),
        ("t.f64", .float64(-1.5e300)), ("t.strings", .array(elementType: .string, values: [.string("a"), .string(""), .string("ü c")])),
        ("t.floats", .array(elementType: .float32, values: [.float32(1), .float32(-0.5)])),
        ("t.bools", .array(elementType: .bool, values: [.bool(false), .bool(true)])),
        ("t.nested", .array(elementType: .array, values: [.array(elementType: .int32, values: [.int32(7)])])),
        ("t.empty", .array(elementType: .uint64, values: [])),
        ("tokenizer.chat_template", .string("{% for m in messages %}<|im_start|>{{ m['content'] }}{% endfor %}")),
    ]

    @Test("Metadata of every type and F32/F16/Q8_0 tensors: gguf-py's reader opens the file, Q8_0 bytes equal gguf-py's quantize, Lathe reads it back")
    func metadataAndTensorsRoundTrip() throws {
        var w = try GGUFWriter()
        for (k, v) in Self.metadata { try w.add(k, v) }
        var g = SplitMix(state: 9)
        let values = (0..<(4 * 64)).map { _ in 6 * (Float(g.next() >> 40) / Float(1 << 24) - 0.5) }
        try w.addTensor("f32", shape: [4, 64], values: values, type: .f32)
        try w.addTensor("f16", shape: [4, 64], values: values, type: .f16)
        try w.addTensor("q8", shape: [4, 64], values: values, type: .q8_0)
        try w.addTensor("q8.source", shape: [4, 64], values: values, type: .f32)
        try w.addTensor("vector", shape: [5], values: [1, 2, 3, 4, 5], type: .f32)
        #expect(throws: GGUFError.self) { try w.add("t.u8", .uint8(1)) }
        #expect(throws: GGUFError.self) { try w.addTensor("odd", shape: [2, 33], values: [Float](repeating: 0, count: 66), type: .q8_0) }
        #expect(throws: GGUFError.self) { try w.add("mixed", .array(elementType: .int32, values: [.int32(1), .uint8(2)])) }

        let directory = try GGUFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("all.gguf")
        try w.write(to: url)

        let file = try GGUFFile(contentsOf: url)
        #expect(file.version == 3 && file.keys == Self.metadata.map(\.0))
        for (k, v) in Self.metadata { #expect(file[k] == v, "\(k)") }
        #expect(try file.floats("f32").map(\.bitPattern) == values.map(\.bitPattern))
        #expect(try file.floats("f16").map(\.bitPattern) == values.map { Half.float(fromFloat16Bits: Half.float16Bits(from: $0)).bitPattern })
        let q8 = try file.floats("q8")
        let worst = zip(q8, values).map { abs($0 - $1) }.max()!
        #expect(worst <= 3.0 / 127, "Q8_0 error \(worst)")
        #expect(try file.tensor("q8").shape == [4, 64] && file.tensor("q8").type == .q8_0)

        let json = directory.appendingPathComponent("inspect.json")
        try GGUFTestSupport.fixtures(["inspect", url.path, json.path])
        let report = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let fields = try #require(report["fields"] as? [String: [String: Any]])
        #expect(Set(fields.keys) == Set(Self.metadata.map(\.0)))
        #expect(fields["t.u64"]?["value"] as? Int == 1 << 60 && fields["t.i16"]?["value"] as? Int == -30_000)
        #expect(fields["t.string"]?["value"] as? String == "héllo ✓" && fields["t.f32"]?["value"] as? Double == 0.25)
        #expect(fields["t.strings"]?["value"] as? [String] == ["a", "", "ü c"])
        #expect(fields["t.nested"]?["types"] as? [String] == ["ARRAY", "ARRAY", "INT32"])
        let tensors = try #require(report["tensors"] as? [String: [String: Any]])
        #expect(tensors["q8"]?["type"] as? String == "Q8_0" && tensors["q8"]?["shape"] as? [Int] == [64, 4])
        #expect(tensors["q8"]?["q8_0_matches_gguf_py"] as? Bool == true)
        #expect(tensors["f16"]?["type"] as? String == "F16" && tensors["vector"]?["type"] as? String == "F32")
    }

    @Test("general.alignment other than 32: the writer pads to it, Lathe and gguf-py read the tensors at their offsets")
    func customAlignment() throws {
        var w = try GGUFWriter(alignment: 64)
        try w.add("general.architecture", .string("llama"))
        try w.addTensor("a", shape: [3], values: [1, 2, 3], type: .f32)
        try w.addTensor("b", shape: [5], values: [4, 5, 6, 7, 8], type: .f16)
        let directory = try GGUFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("aligned.gguf")
        try w.write(to: url)
        let file = try GGUFFile(contentsOf: url)
        #expect(file.alignment == 64 && file.dataOffset % 64 == 0 && file.tensors.map(\.offset) == [0, 64])
        #expect(try file.floats("a") == [1, 2, 3] && file.floats("b") == [4, 5, 6, 7, 8])
        let json = directory.appendingPathComponent("inspect.json")
        try GGUFTestSupport.fixtures(["inspect", url.path, json.path])
        let report = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any])
        let tensors = try #require(report["tensors"] as? [String: [String: Any]])
        #expect(tensors["a"]?["sum"] as? Double == 6 && tensors["b"]?["sum"] as? Double == 30)
        #expect(throws: GGUFError.self) { try GGUFWriter(alignment: 48) }
    }

    @Test("A model with LoRA adapters attached is exported merged: the file holds exactly merged()'s weights")
    func loraExportIsMerged() throws {
        let config = GPTConfig(family: .llama, modelType: "llama", vocabSize: 64, nPositions: 64, nEmbd: 64, nLayer: 2, nHead: 4,
                               nKVHead: 2, headDim: nil, intermediateSize: 96, layerNormEpsilon: 1e-5)
        let model = try Self.randomModel(config, seed: 8)
        let adapters = try LoRAAdapters(config: LoRAConfig(rank: 2, alpha: 4, targetModules: [LoRAConfig.allLinearTarget]), model: model)
        var g = SplitMix(state: 4)
        adapters.withParameters { p in for i in p.indices { p[i] = 0.2 * (Float(g.next() >> 40) / Float(1 << 24) - 0.5) } }
        try model.attach(adapters)
        let merged = try model.merged()
        let directory = try GGUFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("lora.gguf")
        try GGUFModel.export(model, to: url)
        let back = try GGUFModel.load(contentsOf: url)
        #expect(back.parameterValues().map(\.bitPattern) == merged.parameterValues().map(\.bitPattern))
        #expect(back.parameterValues() != model.parameterValues())
    }

    @Test("Llama 3 rope scaling is written as llama.cpp's rope_freqs table and read back as the same llama3 parameters")
    func llama3RopeRoundTrip() throws {
        let scaling = Rotary.Scaling.llama3(factor: 32, lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: 8192)
        let config = GPTConfig(family: .llama, modelType: "llama", vocabSize: 64, nPositions: 128, nEmbd: 64, nLayer: 1, nHead: 2,
                               nKVHead: 1, headDim: nil, intermediateSize: 96, layerNormEpsilon: 1e-5, ropeTheta: 500_000,
                               ropeScaling: scaling)
        let model = try Self.randomModel(config, seed: 2)
        let bytes = try GGUFModel.writer(model).bytes()
        let file = try GGUFFile(bytes: bytes, name: "llama3.gguf")
        let factors = try file.floats("rope_freqs.weight")
        #expect(factors.count == 16 && factors.first == 1 && factors.last == 32)
        let back = try GGUFModel.load(file)
        #expect(back.config.ropeScaling == scaling && back.config.ropeTheta == 500_000)
        #expect(back.parameterValues().map(\.bitPattern) == model.parameterValues().map(\.bitPattern))
        var other = config
        other.ropeScaling = .llama3(factor: 8, lowFrequencyFactor: 2, highFrequencyFactor: 4, originalContext: 8192)
        #expect(throws: GGUFError.self) { try GGUFModel.writer(try Self.randomModel(other, seed: 2)) }
    }

    /// A Lathe model with every weight randomised (so logits are far from trivial).
    static func randomModel(_ config: GPTConfig, seed: UInt64) throws -> GPTModel {
        let model = try GPTModel(config: config, seed: seed)
        var g = SplitMix(state: seed)
        var values = model.parameterValues()
        for p in model.layout.parameters {
            for i in p.offset..<(p.offset + p.count) {
                let r = Float(g.next() >> 40) / Float(1 << 24) - 0.5
                values[i] = p.role == .norm ? 1 + 0.4 * r : 0.6 * r
            }
        }
        try model.setParameterValues(values)
        return model
    }

    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func tokenizer(_ n: Int) -> GGUFTokenizerMetadata {
        GGUFTokenizerMetadata(model: "gpt2", preTokenizer: "default", tokens: (0..<n).map { "t\($0)" }, merges: ["t 1"],
                              tokenTypes: [Int](repeating: 1, count: n), bosTokenId: 1, eosTokenId: 2,
                              chatTemplate: "{{ messages }}")
    }

    @Test("Lathe models exported as GGUF (llama with q/k re-permuted, qwen2, gpt2): Lathe reads F32 back bit-identically, transformers' logits equal Lathe's; Q8_0 difference reported",
          arguments: ["llama", "qwen2", "gpt2"])
    func modelExport(kind: String) throws {
        let config: GPTConfig = kind == "gpt2"
            // transformers maps gpt2.context_length to n_ctx, so its GPT-2 GGUF loader needs 1024 positions
            ? GPTConfig(vocabSize: 64, nPositions: 1024, nEmbd: 32, nLayer: 2, nHead: 4, bosTokenId: 1, eosTokenId: 2)
            : GPTConfig(family: .llama, modelType: kind, vocabSize: 64, nPositions: 64, nEmbd: 64, nLayer: 2, nHead: 4, nKVHead: 2,
                        headDim: nil, intermediateSize: 96, layerNormEpsilon: 1e-5, bosTokenId: 1, eosTokenId: 2,
                        ropeTheta: 10_000, qkvBias: kind == "qwen2", tiedEmbeddings: kind == "qwen2")
        let model = try Self.randomModel(config, seed: 5)
        let directory = try GGUFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let batch = TokenBatch(tokens: Self.ids, batchSize: 1, sequenceLength: Self.ids.count)
        let latheLogits = model.logits(batch) { Array($0) }
        let idText = Self.ids.map(String.init).joined(separator: ",")
        for type in [GGUFWriter.TensorType.f32, .q8_0] {
            let url = directory.appendingPathComponent("\(kind)-\(type.rawValue).gguf")
            try GGUFModel.export(model, to: url, type: type, tokenizer: Self.tokenizer(64), metadata: [("general.name", .string("tiny"))])
            let back = try GGUFModel.load(contentsOf: url)
            #expect(back.layout == model.layout)
            if type == .f32 {
                #expect(back.parameterValues().map(\.bitPattern) == model.parameterValues().map(\.bitPattern), "\(kind) f32 round trip")
                #expect(try GGUFFile(contentsOf: url).tokenizer() == Self.tokenizer(64))
            }
            let out = directory.appendingPathComponent("\(type.rawValue).f64")
            try GGUFTestSupport.fixtures(["logits", url.path, idText, out.path])
            let expected = try GGUFTestSupport.doubles(out)
            #expect(expected.count == latheLogits.count)
            let worst = zip(latheLogits, expected).map { abs(Double($0) - $1) }.max()!
            let scale = expected.map(abs).max()!
            if type == .f32 {
                #expect(worst <= 1e-4, "\(kind): transformers' logits differ from Lathe's by \(worst)")
            } else {
                // Lathe's own Q8_0 read-back and transformers' agree; the quantisation moves logits a little.
                let own = back.logits(batch) { Array($0) }
                let readBack = zip(own, expected).map { abs(Double($0) - $1) }.max()!
                #expect(readBack <= 1e-4, "\(kind) q8_0: Lathe and transformers read different weights (\(readBack))")
                #expect(worst <= 0.05 * scale, "\(kind) q8_0: logits moved by \(worst) at scale \(scale)")
                print("\(kind) Q8_0 export: largest logit difference from the f32 model \(worst) at logit scale \(scale)")
            }
        }
    }

    @Test("The real SmolLM2 re-exported as F32 and Q8_0 GGUF with its tokenizer and chat template: Lathe reads F32 back bit-identically, transformers' logits equal Lathe's")
    func realSmolLM2Export() throws {
        let folder = try GGUFTestSupport.smolLM2()
        let source = try GGUFFile(contentsOf: folder.appendingPathComponent(GGUFTestSupport.smolLM2File))
        let model = try GGUFModel.load(source)
        let tokenizer = try #require(try source.tokenizer())
        let directory = try GGUFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let batch = TokenBatch(tokens: Self.ids, batchSize: 1, sequenceLength: Self.ids.count)
        let latheLogits = model.logits(batch) { Array($0) }
        let scale = latheLogits.map { abs(Double($0)) }.max()!
        for type in [GGUFWriter.TensorType.f32, .q8_0] {
            let url = directory.appendingPathComponent("smollm2-\(type.rawValue).gguf")
            try GGUFModel.export(model, to: url, type: type, tokenizer: tokenizer, metadata: [("general.name", .string("SmolLM2 135M Instruct"))])
            let written = try GGUFFile(contentsOf: url)
            #expect(try written.tokenizer() == tokenizer)
            if type == .f32 {
                let back = try GGUFModel.load(written)
                #expect(back.parameterValues().map(\.bitPattern) == model.parameterValues().map(\.bitPattern))
            }
            let out = directory.appendingPathComponent("\(type.rawValue).f64")
            try GGUFTestSupport.fixtures(["logits", url.path, Self.ids.map(String.init).joined(separator: ","), out.path])
            let expected = try GGUFTestSupport.doubles(out)
            let worst = zip(latheLogits, expected).map { abs(Double($0) - $1) }.max()!
            if type == .f32 {
                #expect(worst <= 1e-4 * scale, "transformers' logits differ from Lathe's by \(worst) at scale \(scale)")
            } else {
                #expect(worst <= 0.05 * scale, "q8_0 logits moved by \(worst) at scale \(scale)")
            }
            let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            print("SmolLM2 \(type.rawValue) export (\(size) bytes): transformers' logits − Lathe's f32 logits \(worst), scale \(scale)")
            try FileManager.default.removeItem(at: url)
        }
    }
}
