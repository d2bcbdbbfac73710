public import Foundation
public import GGUF
import Compute

/// Lathe models from llama.cpp GGUF files and back: the hyperparameters from the `{arch}.*` keys, the
/// tensor names (`token_embd`, `blk.N.attn_q`, …) mapped to the layout's HF names, and the two layout
/// differences undone: llama.cpp's converter interleaves the rows of each `llama` q/k head (its rotary
/// pairs adjacent values, HF's pairs halves), and stores GPT-2's Conv1D weights transposed.
///
/// Architectures: `llama` (Llama 2/3, Mistral, SmolLM2, TinyLlama), `qwen2` (no permutation; q/k/v
/// biases) and `gpt2`.
public enum GGUFModel {
    /// The architectures `load` builds.
    public static let architectures = ["llama", "qwen2", "gpt2"]

    /// How a GGUF tensor's values become a layout tensor's.
    enum Transform: Equatable {
        case none
        /// llama.cpp's q/k head-row interleave over `heads` heads (its inverse on import).
        case permute(heads: Int)
        /// GGUF [out, in] ↔ GPT-2 Conv1D [in, out].
        case transpose
    }

    /// The GGUF name of layout tensor `name` and the transform between them.
    static func ggufName(_ name: String, config: GPTConfig, architecture: String) -> (String, Transform)? {
        let (suffix, stem): (String, String) = name.hasSuffix(".weight") ? ("weight", String(name.dropLast(7)))
            : name.hasSuffix(".bias") ? ("bias", String(name.dropLast(5))) : ("", name)
        guard !suffix.isEmpty else { return nil }
        let permute = architecture == "llama"
        switch config.family {
        case .llama:
            switch stem {
            case "model.embed_tokens": return ("token_embd.\(suffix)", .none)
            case "model.norm": return ("output_norm.\(suffix)", .none)
            case "lm_head": return ("output.\(suffix)", .none)
            default: break
            }
            let parts = stem.split(separator: ".", maxSplits: 3)
            guard parts.count == 4, parts[0] == "model", parts[1] == "layers", let l = Int(parts[2]) else { return nil }
            let table: [String: (String, Transform)] = [
                "input_layernorm": ("attn_norm", .none),
                "self_attn.q_proj": ("attn_q", permute ? .permute(heads: config.nHead) : .none),
                "self_attn.k_proj": ("attn_k", permute ? .permute(heads: config.nKVHead) : .none),
                "self_attn.v_proj": ("attn_v", .none), "self_attn.o_proj": ("attn_output", .none),
                "post_attention_layernorm": ("ffn_norm", .none), "mlp.gate_proj": ("ffn_gate", .none),
                "mlp.up_proj": ("ffn_up", .none), "mlp.down_proj": ("ffn_down", .none),
            ]
            guard let (g, t) = table[String(parts[3])] else { return nil }
            return ("blk.\(l).\(g).\(suffix)", t)
        case .gpt2:
            switch stem {
            case "transformer.wte": return ("token_embd.\(suffix)", .none)
            case "transformer.wpe": return ("position_embd.\(suffix)", .none)
            case "transformer.ln_f": return ("output_norm.\(suffix)", .none)
            default: break
            }
            let parts = stem.split(separator: ".", maxSplits: 3)
            guard parts.count == 4, parts[0] == "transformer", parts[1] == "h", let l = Int(parts[2]) else { return nil }
            let transform: Transform = suffix == "weight" ? .transpose : .none
            let table: [String: (String, Transform)] = [
                "ln_1": ("attn_norm", .none), "ln_2": ("ffn_norm", .none), "attn.c_attn": ("attn_qkv", transform),
                "attn.c_proj": ("attn_output", transform), "mlp.c_fc": ("ffn_up", transform), "mlp.c_proj": ("ffn_down", transform),
            ]
            guard let (g, t) = table[String(parts[3])] else { return nil }
            return ("blk.\(l).\(g).\(suffix)", t)
        case .bert:
            return nil  // encoders are not read from or written to GGUF
        }
    }

    /// The engine configuration the file describes.
    /// - Throws: `GGUFError` naming the key: a missing hyperparameter, an architecture or rope scaling
    ///   Lathe does not implement, or values `GPTConfig.validate` refuses.
    public static func config(_ file: GGUFFile) throws(GGUFError) -> GPTConfig {
        let arch = try file.architecture()
        guard architectures.contains(arch) else {
            throw .unsupportedModel(file: file.name, detail: "general.architecture is '\(arch)'; Lathe builds \(architectures.joined(separator: ", "))")
        }
        func int(_ key: String) throws(GGUFError) -> Int {
            let v = try file.int("\(arch).\(key)")
            guard v > 0, v <= Int(Int32.max) else {
                throw .wrongMetadataType(file: file.name, key: "\(arch).\(key)", expected: "a positive count", found: "\(v)")
            }
            return v
        }
        func optionalInt(_ key: String) throws(GGUFError) -> Int? {
            file["\(arch).\(key)"] == nil ? nil : try int(key)
        }
        let tokens = try file.optional("tokenizer.ggml.tokens") { (f) throws(GGUFError) in try f.strings("tokenizer.ggml.tokens") }
        let embedding = try file.tensor("token_embd.weight")
        let vocab = try optionalInt("vocab_size") ?? tokens?.count ?? embedding.dimensions.last ?? 0
        let embd = try int("embedding_length"), heads = try int("attention.head_count")
        let tokenizer = try file.tokenizer()
        let config: GPTConfig
        if arch == "gpt2" {
            let eps = try file.optional("gpt2.attention.layer_norm_epsilon") { (f) throws(GGUFError) in try f.double("gpt2.attention.layer_norm_epsilon") } ?? 1e-5
            var c = GPTConfig(vocabSize: vocab, nPositions: try int("context_length"), nEmbd: embd, nLayer: try int("block_count"),
                              nHead: heads, layerNormEpsilon: Float(eps), bosTokenId: tokenizer?.bosTokenId, eosTokenId: tokenizer?.eosTokenId)
            c.intermediateSize = try optionalInt("feed_forward_length") ?? 4 * embd
            config = c
        } else {
            if let type = try file.optional("\(arch).rope.scaling.type", { (f) throws(GGUFError) in try f.string("\(arch).rope.scaling.type") }),
               type != "none" {
                throw .unsupportedModel(file: file.name, detail: "\(arch).rope.scaling.type is '\(type)'; Lathe implements unscaled and llama3 rotary")
            }
            let headDim = try optionalInt("attention.key_length") ?? (embd / heads)
            if let rotary = try optionalInt("rope.dimension_count"), rotary != headDim {
                throw .unsupportedModel(file: file.name, detail: "\(arch).rope.dimension_count \(rotary) differs from the head width \(headDim) "
                                        + "(partial rotary is not implemented)")
            }
            let eps = try file.double("\(arch).attention.layer_norm_rms_epsilon")
            let theta = try file.optional("\(arch).rope.freq_base") { (f) throws(GGUFError) in try f.double("\(arch).rope.freq_base") } ?? 10_000
            let names = Set(file.tensors.map(\.name))
            let scaling = try ropeScaling(file, arch: arch, headDim: headDim, theta: theta)
            config = GPTConfig(
                family: .llama, modelType: arch, vocabSize: vocab, nPositions: try int("context_length"), nEmbd: embd,
                nLayer: try int("block_count"), nHead: heads, nKVHead: try optionalInt("attention.head_count_kv") ?? heads,
                headDim: headDim, intermediateSize: try int("feed_forward_length"), layerNormEpsilon: Float(eps),
                bosTokenId: tokenizer?.bosTokenId, eosTokenId: tokenizer?.eosTokenId, ropeTheta: theta, ropeScaling: scaling,
                qkvBias: arch == "qwen2" || names.contains("blk.0.attn_q.bias"), outputBias: names.contains("blk.0.attn_output.bias"),
                mlpBias: names.contains("blk.0.ffn_gate.bias"), tiedEmbeddings: !names.contains("output.weight"))
        }
        do throws(ModelingError) { try config.validate() } catch {
            throw .unsupportedModel(file: file.name, detail: error.description)
        }
        return config
    }

    /// Llama 3.1+ rotary scaling: llama.cpp's converter stores it as `rope_freqs.weight`, one divisor per
    /// frequency, from rope_scaling {factor, low_freq_factor, high_freq_factor} and an original context
    /// of 8192 (`{arch}.rope.scaling.original_context_length` when present). Lathe recognises the
    /// llama3 parameters whose divisors those are (factor = the largest; low 1, high 4 as every Llama 3.x
    /// ships) and refuses any other table rather than guess.
    static func ropeScaling(_ file: GGUFFile, arch: String, headDim: Int, theta: Double) throws(GGUFError) -> Rotary.Scaling {
        guard file.tensors.contains(where: { $0.name == "rope_freqs.weight" }) else { return .none }
        let stored = try file.floats("rope_freqs.weight")
        guard stored.count == headDim / 2, let factor = stored.max(), factor >= 1, factor.isFinite else {
            throw .unsupportedModel(file: file.name, detail: "rope_freqs.weight holds \(stored.count) factors, expected \(headDim / 2) of at least 1")
        }
        let original = try file.optional("\(arch).rope.scaling.original_context_length") { (f) throws(GGUFError) in
            try f.int("\(arch).rope.scaling.original_context_length")
        } ?? 8192
        let scaling = Rotary.Scaling.llama3(factor: Double(factor), lowFrequencyFactor: 1, highFrequencyFactor: 4, originalContext: original)
        let expected = ropeFactors(headDim: headDim, theta: theta, scaling: scaling)
        guard original > 0, zip(stored, expected).allSatisfy({ abs($0 - $1) <= 1e-4 * $1 }) else {
            throw .unsupportedModel(file: file.name, detail: "rope_freqs.weight is not llama3 rope scaling (factor \(factor), low 1, high 4, "
                                    + "original context \(original)); Lathe implements no other frequency table")
        }
        return scaling
    }

    /// llama.cpp's rotary divisors for `scaling`: unscaled frequency ÷ scaled frequency, per pair.
    static func ropeFactors(headDim: Int, theta: Double, scaling: Rotary.Scaling) -> [Float] {
        let plain = Rotary.inverseFrequencies(headDim: headDim, theta: theta)
        let scaled = Rotary.inverseFrequencies(headDim: headDim, theta: theta, scaling: scaling)
        return zip(plain, scaled).map { $0 / $1 }
    }

    /// Opens `url` and builds the model (see `load(_:)`).
    public static func load(contentsOf url: URL) throws(GGUFError) -> GPTModel {
        try load(GGUFFile(contentsOf: url))
    }

    /// Builds the model the file holds, every tensor dequantised to Float32 and mapped to the layout.
    /// - Throws: `GGUFError`: unsupported architecture or tensor type (naming the tensor), a missing,
    ///   unexpected or mis-shaped tensor.
    /// - Complexity: O(parameters); peak memory ≈ the model plus one tensor's Float32 copy.
    public static func load(_ file: GGUFFile) throws(GGUFError) -> GPTModel {
        let config = try config(file)
        let arch = try file.architecture()
        let model: GPTModel
        do throws(ModelingError) { model = try GPTModel(config: config) } catch {
            throw .unsupportedModel(file: file.name, detail: error.description)
        }
        var used = Set<String>()
        for p in model.layout.parameters {
            guard let (name, transform) = ggufName(p.name, config: config, architecture: arch) else {
                throw .unsupportedModel(file: file.name, detail: "no GGUF name for \(p.name)")
            }
            let info = try file.tensor(name)
            let expected = transform == .transpose ? Array(p.shape.reversed()) : p.shape
            guard info.shape == expected else {
                throw .unsupportedModel(file: file.name, detail: "tensor '\(name)' has shape \(info.shape), expected \(expected) for \(p.name)")
            }
            let values = try file.floats(name)
            do {
                try model.withParameter(named: p.name) { destination in
                    apply(transform, reverse: true, values, shape: expected, into: destination)
                }
            } catch {
                throw .unsupportedModel(file: file.name, detail: "\(error)")
            }
            used.insert(name)
        }
        if case .llama3 = config.ropeScaling { used.insert("rope_freqs.weight") }  // read by config(_:)
        for t in file.tensors where !used.contains(t.name) {
            // gpt2 converters write the tied head as its own copy of the embedding.
            if arch == "gpt2", t.name == "output.weight", t.shape == (try file.tensor("token_embd.weight")).shape,
               try file.floats(t.name).map(\.bitPattern) == file.floats("token_embd.weight").map(\.bitPattern) { continue }
            throw .unsupportedModel(file: file.name, detail: "tensor '\(t.name)' has no place in a \(arch) model of this shape")
        }
        return model
    }

    /// Applies `transform` (or its inverse) to `values` of row-major `shape`, writing `destination`.
    /// Permute: llama.cpp row h·hd + 2i + t holds HF row h·hd + t·hd/2 + i (hd = rows / heads).
    static func apply(_ transform: Transform, reverse: Bool, _ values: [Float], shape: [Int], into destination: UnsafeMutableBufferPointer<Float>) {
        switch transform {
        case .none:
            _ = destination.initialize(from: values)
        case let .permute(heads):
            let rows = shape[0], columns = values.count / max(rows, 1)
            let hd = rows / heads, half = hd / 2
            for h in 0..<heads {
                for i in 0..<half {
                    for t in 0..<2 {
                        let gguf = h * hd + 2 * i + t, hf = h * hd + t * half + i
                        let (from, to) = reverse ? (gguf, hf) : (hf, gguf)
                        for c in 0..<columns { destination[to * columns + c] = values[from * columns + c] }
                    }
                }
            }
        case .transpose:
            let rows = shape[0], columns = shape.count > 1 ? shape[1] : 1
            for r in 0..<rows { for c in 0..<columns { destination[c * rows + r] = values[r * columns + c] } }
        }
    }
}
