import Foundation
import Testing
import GGUF
@testable import Modeling

/// Models from GGUF files: tiny random transformers models converted as llama.cpp's converter does,
/// and the real SmolLM2-135M-Instruct Q4_1 file, against transformers' own GGUF loader and against the
/// fp32 Hugging Face folders of the same weights.
@Suite(.serialized) struct GGUFModelImportTests {
    static let ids: [Int32] = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]

    static func logits(_ model: GPTModel) -> [Float] {
        model.logits(TokenBatch(tokens: ids, batchSize: 1, sequenceLength: ids.count)) { Array($0) }
    }

    static func largestDifference(_ a: [Float], _ b: [Double]) -> Double {
        zip(a, b).map { abs(Double($0) - $1) }.max() ?? .infinity
    }

    @Test("Tiny llama (q/k permuted), llama3 (rope scaling as rope_freqs), mistral (head_dim ≠ C/NH, one KV head), qwen2 (biases, no permutation) and gpt2 (Conv1D transposed) GGUFs load bit-identically to their HF folders, with transformers' logits",
          arguments: ["llama", "llama3", "mistral", "qwen2", "gpt2"])
    func tinyModels(kind: String) throws {
        let directory = try GGUFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try GGUFTestSupport.fixtures(["tiny", kind, directory.path, Self.ids.map(String.init).joined(separator: ",")])
        let model = try GGUFModel.load(contentsOf: directory.appendingPathComponent("model.gguf"))
        let reference = try GPTModel.loadHF(directory: directory.appendingPathComponent("hf"))
        #expect(model.layout == reference.layout)
        #expect(model.config.nKVHead == reference.config.nKVHead && model.config.headDim == reference.config.headDim
                && model.config.qkvBias == reference.config.qkvBias && model.config.ropeScaling == reference.config.ropeScaling
                && model.config.ropeTheta == reference.config.ropeTheta
                && model.config.tiedEmbeddings == reference.config.tiedEmbeddings)
        #expect(model.parameterValues().map(\.bitPattern) == reference.parameterValues().map(\.bitPattern), "\(kind): weights")
        let expected = try GGUFTestSupport.doubles(directory.appendingPathComponent("logits.f64"))
        let logits = Self.logits(model)
        #expect(logits.count == expected.count)
        let worst = Self.largestDifference(logits, expected)
        #expect(worst <= 1e-4, "\(kind): largest logit difference \(worst) from transformers' GGUF load")
        #expect(expected.map(abs).max()! > 0.5)
    }

    @Test("The real SmolLM2-135M-Instruct Q4_1 GGUF: weights bit-identical to transformers' fp32 conversion, logits equal transformers' GGUF load")
    func realSmolLM2() throws {
        let folder = try GGUFTestSupport.smolLM2()
        let path = folder.appendingPathComponent(GGUFTestSupport.smolLM2File)
        let clock = ContinuousClock()
        var model: GPTModel?
        let elapsed = try clock.measure { model = try GGUFModel.load(contentsOf: path) }
        let loaded = try #require(model)
        let file = try GGUFFile(contentsOf: path)
        #expect(file.version == 3 && file.tensors.count == 272)
        let types = Dictionary(grouping: file.tensors, by: \.type).mapValues(\.count)
        #expect(types == [.q4_1: 210, .q8_0: 1, .f32: 61])
        #expect(loaded.config.nLayer == 30 && loaded.config.nEmbd == 576 && loaded.config.nHead == 9 && loaded.config.nKVHead == 3)
        #expect(loaded.config.vocabSize == 49152 && loaded.config.intermediateSize == 1536 && loaded.config.tiedEmbeddings)
        #expect(loaded.config.ropeTheta == 100_000 && loaded.config.layerNormEpsilon == 1e-5)
        #expect(loaded.config.bosTokenId == 1 && loaded.config.eosTokenId == 2)

        let reference = try GPTModel.loadHF(directory: folder)
        #expect(loaded.layout == reference.layout)
        let a = loaded.parameterValues(), b = reference.parameterValues()
        for p in loaded.layout.parameters {
            let same = a[p.offset..<(p.offset + p.count)].elementsEqual(b[p.offset..<(p.offset + p.count)]) { $0.bitPattern == $1.bitPattern }
            #expect(same, "\(p.name) differs from transformers' dequantised fp32 weights")
        }

        let directory = try GGUFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("logits.f64")
        let pythonStart = ContinuousClock.now
        try GGUFTestSupport.fixtures(["logits", path.path, Self.ids.map(String.init).joined(separator: ","), out.path])
        let pythonElapsed = ContinuousClock.now - pythonStart
        let expected = try GGUFTestSupport.doubles(out)
        let logits = Self.logits(loaded)
        let worst = Self.largestDifference(logits, expected)
        let scale = expected.map(abs).max()!
        #expect(worst <= 1e-4 * scale, "largest logit difference \(worst) at logit scale \(scale)")
        print("SmolLM2 GGUF: Lathe load \(elapsed), transformers GGUF load + forward (process) \(pythonElapsed); logits Lathe−transformers \(worst), scale \(scale)")

        let tokenizer = try #require(try file.tokenizer())
        #expect(tokenizer.model == "gpt2" && tokenizer.preTokenizer == "smollm" && tokenizer.tokens.count == 49152)
        #expect(tokenizer.merges.count == 48900 && tokenizer.tokens[1] == "<|im_start|>" && tokenizer.tokens[2] == "<|im_end|>")
        #expect(tokenizer.bosTokenId == 1 && tokenizer.eosTokenId == 2 && tokenizer.padTokenId == 2 && tokenizer.unknownTokenId == 0)
        #expect(tokenizer.chatTemplate?.contains("<|im_start|>") == true && tokenizer.tokenTypes.count == 49152)
    }

    @Test("Unsupported architectures and missing tensors are errors naming the file and the cause")
    func importErrors() throws {
        var w = try GGUFWriter()
        try w.add("general.architecture", .string("falcon"))
        try w.addTensor("token_embd.weight", shape: [4, 8], values: [Float](repeating: 0, count: 32), type: .f32)
        let falcon = try GGUFFile(bytes: w.bytes(), name: "falcon.gguf")
        #expect(throws: GGUFError.unsupportedModel(file: "falcon.gguf", detail: "general.architecture is 'falcon'; Lathe builds llama, qwen2, gpt2")) {
            try GGUFModel.load(falcon)
        }
        var m = try GGUFWriter()
        try m.add("general.architecture", .string("llama"))
        try m.add("llama.embedding_length", .uint32(8))
        try m.addTensor("token_embd.weight", shape: [4, 8], values: [Float](repeating: 0, count: 32), type: .f32)
        let missing = try GGUFFile(bytes: m.bytes(), name: "m.gguf")
        #expect(throws: GGUFError.missingMetadata(file: "m.gguf", key: "llama.attention.head_count")) { try GGUFModel.load(missing) }
    }
}
