public import Foundation
public import GGUF
import Compute

extension GGUFModel {
    /// Writes `model` as a GGUF v3 file that llama.cpp, transformers (`gguf_file=`) and `GGUFModel.load` read.
    ///
    /// Llama-family models are written as architecture `llama` (q/k rows re-permuted as llama.cpp's
    /// converter does) or `qwen2` (`modelType` qwen2: no permutation); GPT-2 as `gpt2` (Conv1D weights
    /// transposed, the tied head written as `output.weight` as llama.cpp's converter does).
    /// - Parameters:
    ///   - type: storage of the matrices; 1-D tensors (norms, biases) stay F32 as llama.cpp keeps them,
    ///     and Q8_0 falls back to F16 for rows that are not a multiple of 32.
    ///   - tokenizer: written as `tokenizer.ggml.*` (and its chat template); llama.cpp needs one to run.
    ///   - metadata: further entries (e.g. `general.name`), written after the model's own keys.
    ///   - model: attached LoRA adapters are merged into the written weights.
    /// - Complexity: O(parameters); peak memory ≈ 2 × the encoded file.
    public static func export(_ model: GPTModel, to url: URL, type: GGUFWriter.TensorType = .f32,
                              tokenizer: GGUFTokenizerMetadata? = nil, metadata: [(String, GGUFValue)] = []) throws(GGUFError) {
        try writer(model, type: type, tokenizer: tokenizer, metadata: metadata).write(to: url)
    }

    /// The writer `export` fills (for callers that want the bytes). A model with LoRA adapters attached
    /// is written merged (`GPTModel.merged()`), as llama.cpp has no place for unmerged adapters here.
    public static func writer(_ model: GPTModel, type: GGUFWriter.TensorType = .f32, tokenizer: GGUFTokenizerMetadata? = nil,
                              metadata: [(String, GGUFValue)] = []) throws(GGUFError) -> GGUFWriter {
        let model = try mergedIfAdapted(model)
        let c = model.config
        let arch: String
        switch c.family {
        case .gpt2: arch = "gpt2"
        case .llama: arch = c.modelType == "qwen2" ? "qwen2" : "llama"
        case .bert: throw .invalidInput(detail: "BERT encoders are exported as Hugging Face folders, not GGUF")
        }
        var w = try GGUFWriter()
        let fileType: UInt32 = switch type {
        case .f32: 0
        case .f16: 1
        case .q8_0: 7
        }
        try w.add("general.architecture", .string(arch))
        try w.add("general.file_type", .uint32(fileType))
        try w.add("\(arch).context_length", .uint32(UInt32(c.nPositions)))
        try w.add("\(arch).embedding_length", .uint32(UInt32(c.nEmbd)))
        try w.add("\(arch).block_count", .uint32(UInt32(c.nLayer)))
        try w.add("\(arch).feed_forward_length", .uint32(UInt32(c.intermediateSize)))
        try w.add("\(arch).attention.head_count", .uint32(UInt32(c.nHead)))
        if c.family == .gpt2 {
            try w.add("gpt2.attention.layer_norm_epsilon", .float32(c.layerNormEpsilon))
        } else {
            try w.add("\(arch).attention.head_count_kv", .uint32(UInt32(c.nKVHead)))
            try w.add("\(arch).rope.freq_base", .float32(Float(c.ropeTheta)))
            try w.add("\(arch).attention.layer_norm_rms_epsilon", .float32(c.layerNormEpsilon))
            try w.add("\(arch).rope.dimension_count", .uint32(UInt32(c.headDim)))
            if case let .llama3(_, low, high, original) = c.ropeScaling {
                guard low == 1, high == 4 else {
                    throw .invalidInput(detail: "llama3 rope scaling with low_freq_factor \(low) and high_freq_factor \(high): llama.cpp's "
                                        + "rope_freqs table can be written, but Lathe reads back only low 1, high 4 (every Llama 3.x)")
                }
                try w.add("\(arch).rope.scaling.original_context_length", .uint32(UInt32(original)))
            }
            if c.headDim * c.nHead != c.nEmbd {
                try w.add("\(arch).attention.key_length", .uint32(UInt32(c.headDim)))
                try w.add("\(arch).attention.value_length", .uint32(UInt32(c.headDim)))
            }
        }
        try w.add("\(arch).vocab_size", .uint32(UInt32(c.vocabSize)))
        if let tokenizer {
            guard tokenizer.tokens.count == c.vocabSize else {
                throw .invalidInput(detail: "the tokenizer has \(tokenizer.tokens.count) tokens but the model \(c.vocabSize) rows")
            }
            for (key, value) in tokenizer.metadata { try w.add(key, value) }
        }
        for (key, value) in metadata { try w.add(key, value) }

        if case .llama3 = c.ropeScaling {
            try w.addTensor("rope_freqs.weight", shape: [c.headDim / 2], values: ropeFactors(headDim: c.headDim, theta: c.ropeTheta, scaling: c.ropeScaling), type: .f32)
        }
        let all = model.parameterValues()
        for p in model.layout.parameters {
            guard let (name, transform) = ggufName(p.name, config: c, architecture: arch) else {
                throw .invalidInput(detail: "no GGUF name for \(p.name)")
            }
            let values = Array(all[p.offset..<(p.offset + p.count)])
            let shape = transform == .transpose ? Array(p.shape.reversed()) : p.shape
            var out = [Float](repeating: 0, count: p.count)
            out.withUnsafeMutableBufferPointer { apply(transform, reverse: false, values, shape: p.shape, into: $0) }
            try w.addTensor(name, shape: shape, values: out, type: storage(type, shape: shape))
            if c.family == .gpt2, name == "token_embd.weight" {
                try w.addTensor("output.weight", shape: shape, values: out, type: storage(type, shape: shape))
            }
        }
        return w
    }

    private static func mergedIfAdapted(_ model: GPTModel) throws(GGUFError) -> GPTModel {
        guard model.adapters != nil else { return model }
        do throws(ModelingError) { return try model.merged() } catch {
            throw .invalidInput(detail: "cannot merge the LoRA adapters: \(error.description)")
        }
    }

    private static func storage(_ type: GGUFWriter.TensorType, shape: [Int]) -> GGUFWriter.TensorType {
        guard shape.count >= 2 else { return .f32 }
        if type == .q8_0, shape.last! % 32 != 0 { return .f16 }
        return type
    }
}
