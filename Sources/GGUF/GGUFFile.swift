public import Foundation

/// A GGUF file (llama.cpp's model format, versions 2 and 3): its metadata, its tensor table, and its
/// tensor data memory-mapped read-only, dequantised to Float32 on request.
///
/// Opening reads and checks the whole header (every count against the bytes left, every string as
/// UTF-8, every tensor's type, shape, alignment and extent, no duplicate keys or names, no overlaps)
/// before anything is trusted; the weights themselves are only touched by `floats` / `copyFloats`.
public final class GGUFFile: @unchecked Sendable {
    /// The path (or `"<memory>"`) quoted in error messages.
    public let name: String
    /// The GGUF version (2 or 3).
    public let version: UInt32
    /// Metadata keys in file order.
    public let keys: [String]
    /// Metadata by key.
    public let metadata: [String: GGUFValue]
    /// Tensors in file order.
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment` (32 when absent): tensor offsets are multiples of it, as is the data section start.
    public let alignment: Int
    /// Byte offset of the data section in the file.
    public let dataOffset: Int
    /// Bytes in the data section (file size − `dataOffset`).
    public let dataSize: Int

    private let bytes: MappedBytes
    private let tensorIndex: [String: Int]

    /// Arrays inside arrays deeper than this are refused (llama.cpp writes none).
    public static let maxArrayDepth = 3

    /// Opens and checks `url`, memory-mapping it.
    /// - Throws: `GGUFError` naming the file and the field.
    /// - Complexity: O(header bytes); the tensor data is not read.
    public convenience init(contentsOf url: URL) throws(GGUFError) {
        try self.init(bytes: MappedBytes(path: url.path), name: url.path)
    }

    /// Parses a GGUF file held in memory (copied).
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(GGUFError) {
        try self.init(bytes: MappedBytes(bytes: bytes), name: name)
    }

    init(bytes: MappedBytes, name: String) throws(GGUFError) {
        self.bytes = bytes
        self.name = name
        var cursor = ByteCursor(bytes: bytes.buffer(offset: 0, length: bytes.count), file: name)
        let magic = [UInt8](cursor.bytes.prefix(4))
        guard magic == Array("GGUF".utf8) else {
            if bytes.count < 4 { throw .truncated(file: name, field: "the magic number", offset: 0, needed: 4, available: bytes.count) }
            throw .badMagic(file: name, found: magic)
        }
        _ = try cursor.u32("the magic number")
        version = try cursor.u32("the version")
        guard version == 2 || version == 3 else { throw .unsupportedVersion(file: name, version: version) }
        let tensorCount = try cursor.u64("the tensor count")
        let kvCount = try cursor.u64("the metadata count")
        // A key/value pair takes at least 8 (key length) + 4 (type) + 1 bytes.
        try Self.checkCount(kvCount, minimumSize: 13, cursor: cursor, field: "the metadata count")

        var keys: [String] = []
        var metadata: [String: GGUFValue] = [:]
        for i in 0..<Int(kvCount) {
            let key = try cursor.string("metadata key #\(i)")
            guard metadata[key] == nil else { throw .duplicateKey(file: name, key: key) }
            let rawType = try cursor.u32("the type of metadata '\(key)'")
            guard let type = GGUFValueType(rawValue: rawType) else { throw .unknownValueType(file: name, key: key, type: rawType) }
            metadata[key] = try Self.value(type, key: key, depth: 0, cursor: &cursor)
            keys.append(key)
        }
        self.keys = keys
        self.metadata = metadata

        var alignment = 32
        if let value = metadata["general.alignment"] {
            guard case let .uint32(a) = value else {
                throw .invalidAlignment(file: name, detail: "is \(value)")
            }
            guard a > 0, a & (a - 1) == 0 else { throw .invalidAlignment(file: name, detail: "is \(a)") }
            alignment = Int(a)
        }
        self.alignment = alignment

        // A tensor info takes at least 8 (name length) + 4 (dimension count) + 4 (type) + 8 (offset) bytes.
        try Self.checkCount(tensorCount, minimumSize: 24, cursor: cursor, field: "the tensor count")
        var tensors: [GGUFTensorInfo] = []
        var index: [String: Int] = [:]
        for i in 0..<Int(tensorCount) {
            let info = try Self.tensorInfo(number: i, alignment: alignment, cursor: &cursor)
            guard index[info.name] == nil else { throw .duplicateTensor(file: name, tensor: info.name) }
            index[info.name] = tensors.count
            tensors.append(info)
        }
        let headerEnd = cursor.position
        let start = (headerEnd + alignment - 1) / alignment * alignment
        if start > bytes.count, tensors.contains(where: { $0.byteCount > 0 }) {
            throw .truncated(file: name, field: "the padding before the tensor data", offset: headerEnd,
                             needed: UInt64(start - headerEnd), available: bytes.count - headerEnd)
        }
        dataOffset = min(start, bytes.count)
        dataSize = bytes.count - dataOffset
        for t in tensors where t.offset + t.byteCount > dataSize {
            throw .tensorPastEnd(file: name, tensor: t.name, begin: UInt64(t.offset), end: UInt64(t.offset + t.byteCount), dataSize: dataSize)
        }
        let ordered = tensors.filter { $0.byteCount > 0 }.sorted { $0.offset < $1.offset }
        for (a, b) in zip(ordered, ordered.dropFirst()) where b.offset < a.offset + a.byteCount {
            throw .overlappingTensors(file: name, tensor: b.name, other: a.name)
        }
        self.tensors = tensors
        tensorIndex = index
    }

    /// Refuses a count whose entries cannot fit in the bytes left (so nothing is sized by a hostile count).
    private static func checkCount(_ count: UInt64, minimumSize: Int, cursor: ByteCursor, field: String) throws(GGUFError) {
        let limit = UInt64(cursor.remaining / minimumSize)
        guard count <= limit else { throw .countTooLarge(file: cursor.file, field: field, count: count, limit: limit) }
    }

    private static func value(_ type: GGUFValueType, key: String, depth: Int, cursor: inout ByteCursor) throws(GGUFError) -> GGUFValue {
        let field = "metadata '\(key)'"
        switch type {
        case .uint8: return .uint8(try cursor.u8(field))
        case .int8: return .int8(Int8(bitPattern: try cursor.u8(field)))
        case .uint16: return .uint16(try cursor.integer(UInt16.self, field))
        case .int16: return .int16(try cursor.integer(Int16.self, field))
        case .uint32: return .uint32(try cursor.u32(field))
        case .int32: return .int32(try cursor.integer(Int32.self, field))
        case .float32: return .float32(Float(bitPattern: try cursor.u32(field)))
        case .bool:
            let b = try cursor.u8(field)
            guard b <= 1 else { throw .invalidBool(file: cursor.file, key: key, byte: b) }
            return .bool(b == 1)
        case .string: return .string(try cursor.string(field))
        case .uint64: return .uint64(try cursor.u64(field))
        case .int64: return .int64(try cursor.integer(Int64.self, field))
        case .float64: return .float64(Double(bitPattern: try cursor.u64(field)))
        case .array:
            guard depth < maxArrayDepth else { throw .nestingTooDeep(file: cursor.file, key: key, depth: maxArrayDepth) }
            let rawType = try cursor.u32(field + " (element type)")
            guard let elementType = GGUFValueType(rawValue: rawType) else {
                throw .unknownValueType(file: cursor.file, key: key, type: rawType)
            }
            let count = try cursor.u64(field + " (element count)")
            try checkCount(count, minimumSize: elementType.minimumSize ?? 12, cursor: cursor, field: field + " (element count)")
            var values: [GGUFValue] = []
            values.reserveCapacity(Int(count))
            for _ in 0..<Int(count) { values.append(try value(elementType, key: key, depth: depth + 1, cursor: &cursor)) }
            return .array(elementType: elementType, values: values)
        }
    }

    private static func tensorInfo(number: Int, alignment: Int, cursor: inout ByteCursor) throws(GGUFError) -> GGUFTensorInfo {
        let file = cursor.file
        let name = try cursor.string("the name of tensor #\(number)")
        let rank = try cursor.u32("the dimension count of tensor '\(name)'")
        guard rank <= 4 else { throw .invalidShape(file: file, tensor: name, detail: "\(rank) dimensions (ggml allows at most 4)") }
        var dimensions: [Int] = []
        var count = 1
        for d in 0..<Int(rank) {
            let raw = try cursor.u64("dimension \(d) of tensor '\(name)'")
            guard raw <= UInt64(Int64.max), case let (product, false) = count.multipliedReportingOverflow(by: Int(raw)) else {
                throw .invalidShape(file: file, tensor: name, detail: "dimension \(d) is \(raw); the element count overflows")
            }
            dimensions.append(Int(raw))
            count = product
        }
        let rawType = try cursor.u32("the type of tensor '\(name)'")
        guard let type = GGMLType.all[rawType] else { throw .unknownTensorType(file: file, tensor: name, type: rawType) }
        let offset = try cursor.u64("the data offset of tensor '\(name)'")
        let rowLength = dimensions.first ?? 1
        guard rowLength % type.blockSize == 0 else {
            throw .partialBlock(file: file, tensor: name, type: type.name, rowLength: rowLength, blockSize: type.blockSize)
        }
        guard case let (byteCount, false) = (count / type.blockSize).multipliedReportingOverflow(by: type.typeSize) else {
            throw .invalidShape(file: file, tensor: name, detail: "its byte size overflows")
        }
        guard offset % UInt64(alignment) == 0 else {
            throw .misalignedTensor(file: file, tensor: name, offset: offset, alignment: alignment)
        }
        // The whole file is smaller than Int.max, so a larger offset or end is past it.
        guard offset <= UInt64(cursor.bytes.count), case let (end, false) = Int(offset).addingReportingOverflow(byteCount),
              end <= cursor.bytes.count else {
            throw .tensorPastEnd(file: file, tensor: name, begin: offset, end: offset &+ UInt64(byteCount), dataSize: cursor.bytes.count)
        }
        return GGUFTensorInfo(name: name, dimensions: dimensions, type: type, offset: Int(offset), byteCount: byteCount)
    }

    // MARK: Tensors

    /// The tensor named `name`.
    public func tensor(_ name: String) throws(GGUFError) -> GGUFTensorInfo {
        guard let i = tensorIndex[name] else { throw .tensorNotFound(file: self.name, tensor: name) }
        return tensors[i]
    }

    /// Calls `body` with the stored bytes of tensor `name` (valid only inside `body`).
    public func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        let info = try tensor(name)
        return try withExtendedLifetime(bytes) { try body(bytes.buffer(offset: dataOffset + info.offset, length: info.byteCount)) }
    }

    /// Tensor `name` dequantised to Float32, row-major (`shape` order).
    /// - Throws: `.tensorNotFound`, or `.unsupportedTensorType` naming the tensor and its type.
    /// - Complexity: O(values); allocates one `[Float]` of `count` values.
    public func floats(_ name: String) throws(GGUFError) -> [Float] {
        let info = try tensor(name)
        guard info.type.canDequantize else { throw .unsupportedTensorType(file: self.name, tensor: name, type: info.type.name) }
        var failure: GGUFError?
        let values = [Float](unsafeUninitializedCapacity: info.count) { buffer, initialized in
            do throws(GGUFError) { try copyFloats(name, into: buffer) } catch {
                failure = error
                buffer.initialize(repeating: 0)
            }
            initialized = info.count
        }
        if let failure { throw failure }
        return values
    }

    /// Dequantises tensor `name` into `destination`, which must hold exactly `count` floats.
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws(GGUFError) {
        let info = try tensor(name)
        guard info.type.canDequantize else { throw .unsupportedTensorType(file: self.name, tensor: name, type: info.type.name) }
        guard destination.count == info.count else { throw .countMismatch(tensor: name, expected: info.count, actual: destination.count) }
        withExtendedLifetime(bytes) {
            Dequantize.run(info.type, source: bytes.buffer(offset: dataOffset + info.offset, length: info.byteCount), into: destination)
        }
    }
}
