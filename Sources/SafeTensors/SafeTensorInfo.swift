/// One validated tensor entry of a safetensors header.
public struct SafeTensorInfo: Sendable, Equatable {
    public let name: String
    public let dtype: SafeTensorsDType
    /// Row-major dimensions; `[]` is a scalar (one element), and a 0 dimension means no elements.
    public let shape: [Int]
    /// Byte range relative to the start of the data section (end exclusive).
    public let dataOffsets: Range<Int>

    public init(name: String, dtype: SafeTensorsDType, shape: [Int], dataOffsets: Range<Int>) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.dataOffsets = dataOffsets
    }

    /// Number of elements (the product of `shape`; validated not to overflow when the file was read).
    public var elementCount: Int { shape.reduce(1, *) }
}

extension String {
    /// Orders names by their UTF-8 bytes, like Rust's `String` ordering the reference implementation uses,
    /// so our tensor order never depends on Unicode collation.
    static func utf8Precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
