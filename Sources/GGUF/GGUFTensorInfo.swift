/// One tensor of a GGUF file, as its header describes it (checked against the file).
public struct GGUFTensorInfo: Sendable, Hashable {
    /// The GGUF name (`blk.0.attn_q.weight`).
    public let name: String
    /// ggml dimensions, innermost first (`ne[0]` is the row length): a [out, in] matrix is `[in, out]`.
    public let dimensions: [Int]
    /// The storage type.
    public let type: GGMLType
    /// Offset of the first byte from the start of the data section (a multiple of the alignment).
    public let offset: Int
    /// Bytes the tensor occupies.
    public let byteCount: Int

    /// Row-major shape, outermost first (numpy / PyTorch order): `dimensions` reversed.
    public var shape: [Int] { dimensions.reversed() }
    /// Number of values.
    public var count: Int { dimensions.reduce(1, *) }
}
