import Compute

/// A linear module inside a block, and where its output lands: the block runs four products (qkv,
/// attention output, MLP input, MLP output), and a family may fuse several HF modules into one product
/// because their weights are contiguous (Llama's q_proj|k_proj|v_proj, gate_proj|up_proj).
public struct LinearModule: Sendable, Hashable {
    /// Module path relative to the block (`self_attn.q_proj`).
    public let blockModule: String
    /// Which of the block's four products: 0 qkv, 1 attention output, 2 MLP input, 3 MLP output.
    public let product: Int
    /// First output column of this module inside its product's output row.
    public let outputOffset: Int
    public let inFeatures: Int
    public let outFeatures: Int
}
