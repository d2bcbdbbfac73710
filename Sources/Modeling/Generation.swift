public import Compute
import Foundation

/// How `generate` picks tokens.
public struct GenerationOptions: Sendable, Hashable {
    /// Most new tokens to produce (generation also stops when the context is full).
    public var maxNewTokens: Int
    /// Softmax temperature; 0 means greedy (argmax).
    public var temperature: Float
    /// Keep only the k most likely tokens (nil: all).
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches p (nil: all).
    public var topP: Float?
    /// Stop after producing any of these (typically the EOS id); the stop token is included in the output.
    public var stopTokens: [Int32]
    /// Seeds sampling.
    public var seed: UInt64

    public init(maxNewTokens: Int, temperature: Float = 0, topK: Int? = nil, topP: Float? = nil, stopTokens: [Int32] = [], seed: UInt64 = 0) {
        self.maxNewTokens = maxNewTokens; self.temperature = temperature; self.topK = topK; self.topP = topP
        self.stopTokens = stopTokens; self.seed = seed
    }
}

extension GPTModel {
    /// Continues `prompt` with a KV cache and returns only the new tokens. A prompt longer than
    /// n_positions − 1 keeps its last n_positions − 1 tokens.
    /// - Throws: `.invalidData` for an empty prompt or ids outside the vocabulary.
    public func generate(prompt: [Int32], options: GenerationOptions) throws(ModelingError) -> [Int32] {
        guard config.numLabels == nil else { throw .invalidData("a sequence classifier has no language-model head to generate with") }
        guard !prompt.isEmpty else { throw .invalidData("generation needs at least one prompt token (e.g. BOS/EOS)") }
        if let bad = prompt.first(where: { $0 < 0 || Int($0) >= config.vocabSize }) {
            throw .invalidData("prompt token id \(bad) is outside the model's vocabulary of \(config.vocabSize)")
        }
        let context = prompt.suffix(max(1, config.nPositions - 1))
        let cache = KVCache(config: config, capacity: context.count + options.maxNewTokens)
        var rng = SeededGenerator(seed: options.seed)
        var logits = decode(cache, tokens: Array(context))
        var out: [Int32] = []
        while out.count < options.maxNewTokens {
            let next = Int32(Sampling.pick(logits: UnsafeBufferPointer(start: logits, count: config.vocabSize),
                                           options: options, rng: &rng))
            out.append(next)
            if options.stopTokens.contains(next) || cache.length >= cache.capacity { break }
            logits = decodeStep(cache, token: next)
        }
        return out
    }
}

/// Token choice from logits: greedy, temperature, top-k, top-p (nucleus; Holtzman et al. 2020).
public enum Sampling {
    /// Index of the chosen token. Ties in greedy mode go to the lowest id.
    public static func pick(logits: UnsafeBufferPointer<Float>, options: GenerationOptions, rng: inout SeededGenerator) -> Int {
        if options.temperature <= 0 {
            var best = 0
            for j in 1..<logits.count where logits[j] > logits[best] { best = j }
            return best
        }
        // candidates sorted by logit, descending (ties by id for determinism)
        var ids = Array(0..<logits.count)
        ids.sort { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        if let k = options.topK, k > 0 { ids = Array(ids.prefix(k)) }
        let m = logits[ids[0]]
        var probs = ids.map { Foundation.exp(Double((logits[$0] - m) / options.temperature)) }
        var z = probs.reduce(0, +)
        if let p = options.topP, p > 0, p < 1 {
            var cum = 0.0, keep = 0
            repeat { cum += probs[keep] / z; keep += 1 } while cum < Double(p) && keep < probs.count
            ids = Array(ids.prefix(keep)); probs = Array(probs.prefix(keep)); z = probs.reduce(0, +)
        }
        var u = rng.nextDouble() * z
        for (i, pr) in probs.enumerated() {
            u -= pr
            if u < 0 { return ids[i] }
        }
        return ids[ids.count - 1]
    }
}
