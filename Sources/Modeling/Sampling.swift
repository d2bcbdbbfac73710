public import Compute
import Foundation

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
