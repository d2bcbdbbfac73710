/// The HF GPT-2 weight names and shapes for a config (recipes.md §4c), in `GPT2LMHeadModel.state_dict()`
/// order. Names are given without the `transformer.` prefix; Conv1D weights are `[in, out]`.
public struct HFTensorSpec: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public var elementCount: Int { shape.reduce(1, *) }
}

extension HFGPT2Config {
    /// Every trainable weight of the model (the tied `lm_head.weight` is not listed).
    /// - Complexity: O(nLayer).
    public var weightSpecs: [HFTensorSpec] {
        let d = nEmbd, f = innerSize
        var specs = [HFTensorSpec(name: "wte.weight", shape: [vocabSize, d]),
                     HFTensorSpec(name: "wpe.weight", shape: [nPositions, d])]
        for layer in 0..<nLayer {
            let p = "h.\(layer)."
            specs += [
                HFTensorSpec(name: p + "ln_1.weight", shape: [d]), HFTensorSpec(name: p + "ln_1.bias", shape: [d]),
                HFTensorSpec(name: p + "attn.c_attn.weight", shape: [d, 3 * d]),
                HFTensorSpec(name: p + "attn.c_attn.bias", shape: [3 * d]),
                HFTensorSpec(name: p + "attn.c_proj.weight", shape: [d, d]),
                HFTensorSpec(name: p + "attn.c_proj.bias", shape: [d]),
                HFTensorSpec(name: p + "ln_2.weight", shape: [d]), HFTensorSpec(name: p + "ln_2.bias", shape: [d]),
                HFTensorSpec(name: p + "mlp.c_fc.weight", shape: [d, f]), HFTensorSpec(name: p + "mlp.c_fc.bias", shape: [f]),
                HFTensorSpec(name: p + "mlp.c_proj.weight", shape: [f, d]),
                HFTensorSpec(name: p + "mlp.c_proj.bias", shape: [d]),
            ]
        }
        specs += [HFTensorSpec(name: "ln_f.weight", shape: [d]), HFTensorSpec(name: "ln_f.bias", shape: [d])]
        return specs
    }

    /// Total trainable parameters (124,439,808 for GPT-2 small).
    public var parameterCount: Int { weightSpecs.reduce(0) { $0 + $1.elementCount } }
}
