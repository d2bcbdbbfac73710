public import Foundation
import Files
import JSONText

/// A parsed, fully validated safetensors file (the bytes are held in memory, header validated before any
/// offset is trusted).
///
/// Validation follows the reference reader (`safetensors/src/tensor.rs` `validate`): a header length of at
/// most 100 MB that fits the file, a UTF-8 JSON object starting with `{`, known dtypes, `shape` × dtype size
/// equal to each offset span (overflow-checked), every span inside the data section, and the spans tiling
/// the data section exactly: no overlap, no gap, no trailing bytes.
public struct SafeTensorsFile: Sendable {
    /// The reference implementation's header limit (`MAX_HEADER_SIZE`).
    public static let maxHeaderLength = 100_000_000
    /// Containers a header value may sit in (a real header nests 3 deep: object, entry, shape).
    static let headerMaxDepth = 64

    /// Where the bytes came from, used in error messages.
    public let source: String
    /// `__metadata__`, or empty when the header has none.
    public let metadata: [String: String]
    /// Every tensor entry, sorted by name (UTF-8 byte order).
    public let tensors: [SafeTensorInfo]

    private let bytes: [UInt8]
    /// Offset of the data section in `bytes` (8 + header length).
    private let dataStart: Int
    private let byName: [String: Int]

    /// Parses and validates `bytes`.
    /// - Parameter source: the file name quoted in error messages.
    /// - Throws: the specific `SafeTensorsError` for the first problem found.
    /// - Complexity: O(header length + t log t) for t tensors; tensor data is not touched.
    public init(bytes: [UInt8], source: String = "<memory>") throws(SafeTensorsError) {
        let header = try Self.parseHeader(bytes, source: source)
        var metadata: [String: String] = [:]
        var infos: [SafeTensorInfo] = []
        let dataSize = bytes.count - header.dataStart
        for (key, value) in header.members {
            if key == "__metadata__" {
                metadata = try Self.parseMetadata(value, source: source)
            } else {
                infos.append(try Self.parseEntry(name: key, value, dataSize: dataSize, source: source))
            }
        }
        try Self.checkTiling(infos, dataSize: dataSize, source: source)
        infos.sort { String.utf8Precedes($0.name, $1.name) }
        // Header keys are distinct byte strings; two that are canonically equal ("é", "e\u{301}") would be one
        // Swift dictionary key, so they are refused as a duplicate (the shared parser keeps both, as JSON does).
        var byName: [String: Int] = [:]
        for (position, info) in infos.enumerated() where byName.updateValue(position, forKey: info.name) != nil {
            throw .duplicateKey(file: source, key: info.name)
        }
        self.source = source
        self.metadata = metadata
        self.tensors = infos
        self.bytes = bytes
        self.dataStart = header.dataStart
        self.byName = byName
    }

    /// Reads and validates the file at `url`.
    public static func read(contentsOf url: URL) throws(SafeTensorsError) -> SafeTensorsFile {
        let bytes: [UInt8]
        do { bytes = try RegularFile.read(url.path) } catch { throw .io(path: error.path, detail: error.reason) }
        return try SafeTensorsFile(bytes: bytes, source: url.path)
    }

    /// The entry named `name`, or nil.
    public func info(_ name: String) -> SafeTensorInfo? {
        byName[name].map { tensors[$0] }
    }

    /// Lends the raw little-endian bytes of `name` to `body` (valid only inside the closure).
    public func withRawBytes<R>(
        _ name: String, _ body: (UnsafeRawBufferPointer) throws(SafeTensorsError) -> R
    ) throws(SafeTensorsError) -> R {
        guard let info = info(name) else { throw .tensorNotFound(file: source, tensor: name) }
        let range = (dataStart + info.dataOffsets.lowerBound)..<(dataStart + info.dataOffsets.upperBound)
        // safe because `range` was validated to lie inside the data section when the file was parsed.
        // `Array.withUnsafeBytes` is untyped-rethrows, so carry the typed error out in a Result.
        let result = bytes.withUnsafeBytes { (all) -> Result<R, SafeTensorsError> in
            do throws(SafeTensorsError) {
                return .success(try body(UnsafeRawBufferPointer(rebasing: all[range])))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }
}

// MARK: - Validation steps

extension SafeTensorsFile {
    private struct Header {
        var dataStart: Int
        /// The header's members in file order.
        var members: JSONObject
    }

    /// Checks the length prefix, UTF-8 and JSON-object shape of the header.
    private static func parseHeader(_ bytes: [UInt8], source: String) throws(SafeTensorsError) -> Header {
        guard bytes.count >= 8 else { throw .fileTooSmall(file: source, size: bytes.count) }
        var claimed: UInt64 = 0
        for i in (0..<8).reversed() { claimed = claimed << 8 | UInt64(bytes[i]) }
        // Compare as UInt64 before converting so a 2^63+ claim cannot trap or allocate.
        guard claimed <= UInt64(maxHeaderLength) else {
            throw .headerTooLarge(file: source, claimed: claimed, limit: maxHeaderLength)
        }
        guard claimed <= UInt64(bytes.count - 8) else {
            throw .headerLengthPastEnd(file: source, claimed: claimed, fileSize: bytes.count)
        }
        let headerEnd = 8 + Int(claimed)
        let headerBytes = Array(bytes[8..<headerEnd])
        guard isValidUTF8(headerBytes) else { throw .headerNotUTF8(file: source) }
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw .headerNotJSON(file: source, detail: "it does not start with '{'")
        }
        // The shared strict parser: duplicate keys rejected, integers exact, members in file order, and a
        // nesting limit well below the default so a hostile `[[[[…` header stops early.
        let json: JSONValue
        do {
            json = try JSONValue.parse(headerBytes, maxDepth: headerMaxDepth)
        } catch {
            if let key = error.duplicateKey { throw .duplicateKey(file: source, key: key) }
            throw .headerNotJSON(file: source, detail: "\(error.reason) at header byte \(error.offset)")
        }
        guard case let .object(members) = json else {
            throw .headerNotJSON(file: source, detail: "the top-level value is \(json.kindName)")
        }
        return Header(dataStart: headerEnd, members: members)
    }

    private static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private static func parseMetadata(_ value: JSONValue, source: String) throws(SafeTensorsError) -> [String: String] {
        switch value {
        case .null:
            return [:]  // the reference deserializes `Option<HashMap>`, so null means "no metadata"
        case let .object(members):
            var result: [String: String] = [:]
            for (key, member) in members {
                guard case let .string(text) = member else {
                    throw .invalidMetadata(file: source, detail: "the value of '\(key)' is \(member.kindName)")
                }
                result[key] = text
            }
            return result
        default:
            throw .invalidMetadata(file: source, detail: "it is \(value.kindName)")
        }
    }

    /// Validates one tensor entry on its own: fields, dtype, size arithmetic and range.
    private static func parseEntry(
        name: String, _ value: JSONValue, dataSize: Int, source: String
    ) throws(SafeTensorsError) -> SafeTensorInfo {
        func bad(_ detail: String) -> SafeTensorsError {
            .invalidTensorEntry(file: source, tensor: name, detail: detail)
        }
        guard case let .object(fields) = value else { throw bad("the entry is \(value.kindName), not an object") }
        guard case let .string(dtypeName)? = fields["dtype"] else { throw bad("\"dtype\" is missing or not a string") }
        guard case let .array(shapeValues)? = fields["shape"] else { throw bad("\"shape\" is missing or not an array") }
        guard case let .array(offsetValues)? = fields["data_offsets"], offsetValues.count == 2 else {
            throw bad("\"data_offsets\" is missing or not a [begin, end] pair")
        }
        var shape: [Int] = []
        for dim in shapeValues {
            guard let size = dim.nonNegativeInt else { throw bad("\"shape\" holds a value that is not a non-negative integer") }
            shape.append(size)
        }
        guard let begin = offsetValues[0].nonNegativeInt, let end = offsetValues[1].nonNegativeInt else {
            throw bad("\"data_offsets\" holds a value that is not a non-negative integer")
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw .unknownDType(file: source, tensor: name, dtype: dtypeName)
        }
        var byteCount = dtype.byteSize
        var elements = 1
        for dim in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw .sizeOverflow(file: source, tensor: name) }
            elements = product
        }
        let (total, overflow) = elements.multipliedReportingOverflow(by: byteCount)
        guard !overflow else { throw .sizeOverflow(file: source, tensor: name) }
        byteCount = total
        guard begin <= end else { throw .reversedOffsets(file: source, tensor: name, begin: begin, end: end) }
        guard end - begin == byteCount else {
            throw .sizeMismatch(file: source, tensor: name, expectedBytes: byteCount, actualBytes: end - begin)
        }
        guard end <= dataSize else {
            throw .offsetsOutOfRange(file: source, tensor: name, begin: begin, end: end, dataSize: dataSize)
        }
        return SafeTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin..<end)
    }

    /// Checks that the spans, sorted by offset, tile `[0, dataSize)` exactly.
    private static func checkTiling(_ infos: [SafeTensorInfo], dataSize: Int, source: String) throws(SafeTensorsError) {
        let ordered = infos.sorted {
            ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound)
                || ($0.dataOffsets == $1.dataOffsets && String.utf8Precedes($0.name, $1.name))
        }
        var cursor = 0
        var lastName = ""
        for info in ordered {
            if info.dataOffsets.lowerBound < cursor {
                throw .overlappingTensors(file: source, tensor: info.name, other: lastName)
            }
            if info.dataOffsets.lowerBound > cursor {
                throw .gapInData(file: source, before: info.name, gapBegin: cursor, gapEnd: info.dataOffsets.lowerBound)
            }
            cursor = info.dataOffsets.upperBound
            lastName = info.name
        }
        guard cursor == dataSize else { throw .trailingBytes(file: source, dataEnd: cursor, dataSize: dataSize) }
    }
}
