/// The element types Lathe understands in a safetensors header (`safetensors/src/tensor.rs` `enum Dtype`).
///
/// Floating types (`F32`, `F16`, `BF16`, `F64`) can be read as `Float`; the integer and `BOOL` types are
/// parsed and validated so that buffers such as GPT-2's `attn.bias` can be recognized and skipped.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"
    // Unsigned wide integers appear in real checkpoints (e.g. token-count buffers); knowing their size lets
    // the strict reader validate and skip them instead of rejecting the whole file.
    case u16 = "U16", u32 = "U32", u64 = "U64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64, .u64: 8
        case .f32, .i32, .u32: 4
        case .f16, .bf16, .i16, .u16: 2
        case .i8, .u8, .bool: 1
        }
    }

    /// True for the types `SafeTensorsFile.floats(_:)` converts to `Float`.
    public var isFloatingPoint: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        default: false
        }
    }
}
