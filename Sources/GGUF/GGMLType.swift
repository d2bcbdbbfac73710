/// A ggml tensor type: how a GGUF tensor's values are stored. Every id ggml defines is known here (so the
/// reader can check any tensor's byte size); `canDequantize` says which ones Lathe turns into Float32.
public struct GGMLType: Sendable, Hashable, CustomStringConvertible {
    /// The id stored in the file (`GGMLQuantizationType` in gguf-py).
    public let id: UInt32
    /// The name llama.cpp prints (`Q4_K`).
    public let name: String
    /// Values per block (1 for plain types, 32 or 256 for quantised ones).
    public let blockSize: Int
    /// Bytes per block.
    public let typeSize: Int

    public var description: String { name }

    public static let f32 = GGMLType(id: 0, name: "F32", blockSize: 1, typeSize: 4)
    public static let f16 = GGMLType(id: 1, name: "F16", blockSize: 1, typeSize: 2)
    public static let q4_0 = GGMLType(id: 2, name: "Q4_0", blockSize: 32, typeSize: 18)
    public static let q4_1 = GGMLType(id: 3, name: "Q4_1", blockSize: 32, typeSize: 20)
    public static let q5_0 = GGMLType(id: 6, name: "Q5_0", blockSize: 32, typeSize: 22)
    public static let q5_1 = GGMLType(id: 7, name: "Q5_1", blockSize: 32, typeSize: 24)
    public static let q8_0 = GGMLType(id: 8, name: "Q8_0", blockSize: 32, typeSize: 34)
    public static let q2_K = GGMLType(id: 10, name: "Q2_K", blockSize: 256, typeSize: 84)
    public static let q3_K = GGMLType(id: 11, name: "Q3_K", blockSize: 256, typeSize: 110)
    public static let q4_K = GGMLType(id: 12, name: "Q4_K", blockSize: 256, typeSize: 144)
    public static let q5_K = GGMLType(id: 13, name: "Q5_K", blockSize: 256, typeSize: 176)
    public static let q6_K = GGMLType(id: 14, name: "Q6_K", blockSize: 256, typeSize: 210)
    public static let bf16 = GGMLType(id: 30, name: "BF16", blockSize: 1, typeSize: 2)

    /// Every type ggml defines (gguf-py `GGML_QUANT_SIZES`), by id.
    public static let all: [UInt32: GGMLType] = {
        let others: [GGMLType] = [
            .init(id: 9, name: "Q8_1", blockSize: 32, typeSize: 40), .init(id: 15, name: "Q8_K", blockSize: 256, typeSize: 292),
            .init(id: 16, name: "IQ2_XXS", blockSize: 256, typeSize: 66), .init(id: 17, name: "IQ2_XS", blockSize: 256, typeSize: 74),
            .init(id: 18, name: "IQ3_XXS", blockSize: 256, typeSize: 98), .init(id: 19, name: "IQ1_S", blockSize: 256, typeSize: 50),
            .init(id: 20, name: "IQ4_NL", blockSize: 32, typeSize: 18), .init(id: 21, name: "IQ3_S", blockSize: 256, typeSize: 110),
            .init(id: 22, name: "IQ2_S", blockSize: 256, typeSize: 82), .init(id: 23, name: "IQ4_XS", blockSize: 256, typeSize: 136),
            .init(id: 24, name: "I8", blockSize: 1, typeSize: 1), .init(id: 25, name: "I16", blockSize: 1, typeSize: 2),
            .init(id: 26, name: "I32", blockSize: 1, typeSize: 4), .init(id: 27, name: "I64", blockSize: 1, typeSize: 8),
            .init(id: 28, name: "F64", blockSize: 1, typeSize: 8), .init(id: 29, name: "IQ1_M", blockSize: 256, typeSize: 56),
            .init(id: 34, name: "TQ1_0", blockSize: 256, typeSize: 54), .init(id: 35, name: "TQ2_0", blockSize: 256, typeSize: 66),
            .init(id: 39, name: "MXFP4", blockSize: 32, typeSize: 17), .init(id: 40, name: "NVFP4", blockSize: 64, typeSize: 36),
            .init(id: 41, name: "Q1_0", blockSize: 128, typeSize: 18),
        ]
        return Dictionary(uniqueKeysWithValues: (dequantizable + others).map { ($0.id, $0) })
    }()

    /// The types `GGUFFile.floats` reads.
    public static let dequantizable: [GGMLType] = [.f32, .f16, .bf16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K]

    /// Lathe can turn this type into Float32.
    public var canDequantize: Bool { Self.dequantizable.contains(self) }
}
