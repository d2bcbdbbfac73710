/// The type tag of a GGUF metadata value (`GGUFValueType` in gguf-py).
public enum GGUFValueType: UInt32, Sendable, Hashable, CaseIterable {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7, string = 8
    case array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// Bytes of one value on disk; for a string, the minimum (its 8-byte length); nil for an array.
    var minimumSize: Int? {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64, .string: 8
        case .array: nil
        }
    }
}

/// One GGUF metadata value. Arrays keep their element type so an empty array still says what it holds,
/// and so a writer can round-trip it.
public enum GGUFValue: Sendable, Hashable, CustomStringConvertible {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32), float32(Float)
    case bool(Bool), string(String), uint64(UInt64), int64(Int64), float64(Double)
    /// Elements all of `elementType` (never `.array` nested deeper than the reader's limit).
    case array(elementType: GGUFValueType, values: [GGUFValue])

    /// The value's type tag.
    public var type: GGUFValueType {
        switch self {
        case .uint8: .uint8
        case .int8: .int8
        case .uint16: .uint16
        case .int16: .int16
        case .uint32: .uint32
        case .int32: .int32
        case .float32: .float32
        case .bool: .bool
        case .string: .string
        case .uint64: .uint64
        case .int64: .int64
        case .float64: .float64
        case .array: .array
        }
    }

    /// Any integer type as `Int` (nil for other types or a `uint64` beyond `Int.max`).
    public var intValue: Int? {
        switch self {
        case let .uint8(v): Int(v)
        case let .int8(v): Int(v)
        case let .uint16(v): Int(v)
        case let .int16(v): Int(v)
        case let .uint32(v): Int(v)
        case let .int32(v): Int(v)
        case let .uint64(v): Int(exactly: v)
        case let .int64(v): Int(v)
        default: nil
        }
    }

    /// A float or integer value as `Double`.
    public var doubleValue: Double? {
        switch self {
        case let .float32(v): Double(v)
        case let .float64(v): v
        default: intValue.map(Double.init)
        }
    }

    public var stringValue: String? { if case let .string(s) = self { s } else { nil } }
    public var boolValue: Bool? { if case let .bool(b) = self { b } else { nil } }
    /// The elements of an array value.
    public var arrayValues: [GGUFValue]? { if case let .array(_, values) = self { values } else { nil } }

    /// A short description for messages (`uint32 7`, `array of 49152 string`).
    public var description: String {
        switch self {
        case let .string(s): "string '\(s.prefix(60))'"
        case let .array(t, values): "array of \(values.count) \(t)"
        case let .bool(b): "bool \(b)"
        case let .float32(v): "float32 \(v)"
        case let .float64(v): "float64 \(v)"
        default: "\(type) \(intValue.map(String.init) ?? "?")"
        }
    }
}
