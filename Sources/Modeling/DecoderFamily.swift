/// Which block layout a decoder uses: the rows of Lathe's one decoder definition. The trainer, LoRA,
/// freezing, checkpoints and stages never branch on it; only the layout table (names, shapes) and the
/// block's choice of norm, positions, MLP and weight orientation do (see `BlockSpec`).
public enum DecoderFamily: String, Sendable, Hashable, Codable, CaseIterable {
    /// GPT-2: learned positions, LayerNorm with bias, GELU MLP, fused c_attn, Conv1D [in, out] weights, tied head.
    case gpt2
    /// Llama, Qwen2, Mistral (and SmolLM2, TinyLlama): rotary positions, RMSNorm, SwiGLU MLP, grouped-query
    /// attention, `nn.Linear` [out, in] weights, optional q/k/v biases, tied or untied head.
    case llama
    /// BERT encoders (all-MiniLM-L6-v2): word + learned position + token-type embeddings and an embedding
    /// LayerNorm, post-LayerNorm blocks, bidirectional attention with a padding mask, erf GELU, `nn.Linear`
    /// weights with every bias, a pooler (dense + tanh over [CLS]); no final norm.
    case bert
}
