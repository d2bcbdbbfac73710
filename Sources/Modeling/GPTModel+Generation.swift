import Compute
import Foundation

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
