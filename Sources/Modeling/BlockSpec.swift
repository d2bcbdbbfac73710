/// The per-family choices inside one decoder block; everything else is shared.
public struct BlockSpec: Sendable, Hashable {
    /// RMSNorm (no mean, no bias) instead of LayerNorm.
    public let rmsNorm: Bool
    /// Rotary positions in attention instead of a learned position table.
    public let rotary: Bool
    /// SwiGLU MLP (gate|up → silu·up → down) instead of GELU (fc → gelu → proj).
    public let gatedMLP: Bool
    /// Linear weights stored [out, in] (`nn.Linear`) instead of [in, out] (GPT-2's Conv1D).
    public let outIn: Bool
    /// BERT: the norm follows each residual sum (post-LN) instead of preceding each sub-layer; every
    /// position sees every non-padded one (no causal mask); the MLP's GELU is the exact erf form; the
    /// embeddings add a token-type row and are normalized.
    public let encoder: Bool
    /// The norm follows each residual sum (post-LN, BERT) instead of preceding each sub-layer.
    public var postNorm: Bool { encoder }
    /// Attention sees every real position of the row (padding masked) instead of the causal past.
    public var bidirectional: Bool { encoder }
    /// The MLP's GELU is the exact erf form (BERT) instead of the tanh approximation (GPT-2).
    public var erfGELU: Bool { encoder }

    public init(family: DecoderFamily) {
        let llama = family == .llama
        rmsNorm = llama; rotary = llama; gatedMLP = llama; outIn = llama || family == .bert
        encoder = family == .bert
    }
}
