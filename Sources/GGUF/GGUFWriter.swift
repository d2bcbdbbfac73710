public import Foundation

/// Builds a GGUF v3 file: metadata of any type, then tensors stored as F32, F16 or Q8_0.
///
/// Tensors are encoded when added (Q8_0 bit-identical to gguf-py's `quantize`), then `write(to:)` lays
/// out the header, the tensor table and the data, each tensor at a multiple of `alignment`, and renames
/// a temporary file into place so a crash never leaves half a file.
public struct GGUFWriter: Sendable {
    /// How a tensor is stored.
    public enum TensorType: String, Sendable, CaseIterable {
        case f32, f16, q8_0
        var ggml: GGMLType {
            switch self {
            case .f32: .f32
            case .f16: .f16
            case .q8_0: .q8_0
            }
        }
    }

    private var entries: [(String, GGUFValue)] = []
    private var keySet = Set<String>()
    private var tensors: [(name: String, dimensions: [Int], type: GGMLType, data: [UInt8])] = []
    private var names = Set<String>()
    public let alignment: Int

    /// - Parameter alignment: a power of two; written as `general.alignment` when not the default 32.
    public init(alignment: Int = 32) throws(GGUFError) {
        guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= Int(UInt32.max) else {
            throw .invalidInput(detail: "alignment \(alignment) is not a power of two")
        }
        self.alignment = alignment
        if alignment != 32 { entries.append(("general.alignment", .uint32(UInt32(alignment)))); keySet.insert("general.alignment") }
    }

    /// Adds a metadata entry; keys must be unique and non-empty, array elements of the declared type.
    public mutating func add(_ key: String, _ value: GGUFValue) throws(GGUFError) {
        guard !key.isEmpty, !keySet.contains(key) else { throw .invalidInput(detail: "metadata key '\(key)' is empty or added twice") }
        try Self.check(value, key: key, depth: 0)
        entries.append((key, value))
        keySet.insert(key)
    }

    private static func check(_ value: GGUFValue, key: String, depth: Int) throws(GGUFError) {
        guard case let .array(type, values) = value else { return }
        guard depth < GGUFFile.maxArrayDepth else { throw .invalidInput(detail: "metadata '\(key)' nests arrays too deep") }
        for v in values {
            guard v.type == type else { throw .invalidInput(detail: "metadata '\(key)': a \(v.type) element in an array of \(type)") }
            try check(v, key: key, depth: depth + 1)
        }
    }

    /// Adds a tensor of row-major `shape` (outermost first, as PyTorch) from `values`.
    /// - Throws: `.invalidInput` for a duplicate name, a count that is not the shape's product, or Q8_0
    ///   with rows not a multiple of 32.
    public mutating func addTensor(_ name: String, shape: [Int], values: [Float], type: TensorType) throws(GGUFError) {
        guard !name.isEmpty, !names.contains(name) else { throw .invalidInput(detail: "tensor name '\(name)' is empty or added twice") }
        guard (1...4).contains(shape.count), shape.allSatisfy({ $0 >= 0 }) else {
            throw .invalidInput(detail: "tensor '\(name)' has shape \(shape); GGUF tensors have 1 to 4 non-negative dimensions")
        }
        guard shape.reduce(1, *) == values.count else { throw .countMismatch(tensor: name, expected: shape.reduce(1, *), actual: values.count) }
        let rowLength = shape.last!
        guard rowLength % type.ggml.blockSize == 0 else {
            throw .invalidInput(detail: "tensor '\(name)': \(type.rawValue) needs rows of a multiple of \(type.ggml.blockSize) values, got \(rowLength)")
        }
        let data: [UInt8]
        switch type {
        case .f32: data = values.withUnsafeBytes { Array($0) }
        case .f16:
            let halves = values.map { Half.float16Bits(from: $0).littleEndian }
            data = halves.withUnsafeBytes { Array($0) }
        case .q8_0: data = Self.quantizeQ8_0(values)
        }
        names.insert(name)
        tensors.append((name, shape.reversed(), type.ggml, data))
    }

    /// Q8_0 as ggml's reference `quantize_row_q8_0` (and gguf-py): d = max|x| / 127, q = round-half-away(x / d).
    static func quantizeQ8_0(_ values: [Float]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count / 32 * 34)
        for b in stride(from: 0, to: values.count, by: 32) {
            var amax: Float = 0
            for x in values[b..<(b + 32)] { amax = max(amax, abs(x)) }
            let d = amax / 127
            let id: Float = d == 0 ? 0 : 1 / d
            let h = Half.float16Bits(from: d)
            out.append(UInt8(h & 0xFF)); out.append(UInt8(h >> 8))
            for x in values[b..<(b + 32)] {
                let q = (x * id).rounded(.toNearestOrAwayFromZero)
                out.append(UInt8(bitPattern: Int8(max(-128, min(127, q)))))
            }
        }
        return out
    }

    /// The file's bytes.
    /// - Complexity: O(total bytes); one allocation of the file size.
    public func bytes() -> [UInt8] {
        var out = [UInt8]()
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) } }
        func string(_ s: String) { u64(UInt64(s.utf8.count)); out.append(contentsOf: s.utf8) }
        func value(_ v: GGUFValue) {
            switch v {
            case let .uint8(x): out.append(x)
            case let .int8(x): out.append(UInt8(bitPattern: x))
            case let .uint16(x): withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            case let .int16(x): withUnsafeBytes(of: x.littleEndian) { out.append(contentsOf: $0) }
            case let .uint32(x): u32(x)
            case let .int32(x): u32(UInt32(bitPattern: x))
            case let .float32(x): u32(x.bitPattern)
            case let .bool(x): out.append(x ? 1 : 0)
            case let .string(x): string(x)
            case let .uint64(x): u64(x)
            case let .int64(x): u64(UInt64(bitPattern: x))
            case let .float64(x): u64(x.bitPattern)
            case let .array(type, values):
                u32(type.rawValue); u64(UInt64(values.count))
                for e in values { value(e) }
            }
        }
        func pad() { out.append(contentsOf: repeatElement(0, count: (alignment - out.count % alignment) % alignment)) }

        out.append(contentsOf: Array("GGUF".utf8))
        u32(3); u64(UInt64(tensors.count)); u64(UInt64(entries.count))
        for (key, v) in entries { string(key); u32(v.type.rawValue); value(v) }
        var offset = 0
        for t in tensors {
            string(t.name); u32(UInt32(t.dimensions.count))
            for d in t.dimensions { u64(UInt64(d)) }
            u32(t.type.id); u64(UInt64(offset))
            offset += (t.data.count + alignment - 1) / alignment * alignment
        }
        pad()
        for t in tensors { out.append(contentsOf: t.data); pad() }
        return out
    }

    /// Writes the file atomically (a temporary file beside `url`, renamed into place).
    public func write(to url: URL) throws(GGUFError) {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        do {
            try Data(bytes()).write(to: temporary)
            if FileManager.default.fileExists(atPath: url.path) {
                _ = try FileManager.default.replaceItemAt(url, withItemAt: temporary)
            } else {
                try FileManager.default.moveItem(at: temporary, to: url)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .io(path: url.path, detail: "cannot write (\(error.localizedDescription))")
        }
    }
}
