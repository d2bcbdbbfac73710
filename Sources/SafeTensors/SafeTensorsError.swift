/// Everything that can go wrong reading or writing a safetensors file.
///
/// Every reader case carries `file` (the path, or `"<memory>"`), so a message names the file, says what is
/// wrong and how to fix it. The reader validates the whole header before it trusts any offset, so each
/// malformed input maps to exactly one of these cases instead of a crash or a huge allocation.
public enum SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file is shorter than the 8-byte header-length prefix.
    case fileTooSmall(file: String, size: Int)
    /// The header length prefix exceeds the 100 MB limit of the reference implementation.
    case headerTooLarge(file: String, claimed: UInt64, limit: Int)
    /// The header length prefix points past the end of the file (a truncated or non-safetensors file).
    case headerLengthPastEnd(file: String, claimed: UInt64, fileSize: Int)
    /// The header bytes are not valid UTF-8.
    case headerNotUTF8(file: String)
    /// The header is not a JSON object (`detail` says where parsing stopped).
    case headerNotJSON(file: String, detail: String)
    /// A JSON object in the header repeats a key.
    case duplicateKey(file: String, key: String)
    /// `__metadata__` is not an object of string values.
    case invalidMetadata(file: String, detail: String)
    /// A tensor entry lacks a field or has one of the wrong type.
    case invalidTensorEntry(file: String, tensor: String, detail: String)
    /// A tensor entry names a dtype Lathe does not know.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// The element count times the dtype size overflows `Int`.
    case sizeOverflow(file: String, tensor: String)
    /// `data_offsets` spans a different byte count than `shape` × dtype size.
    case sizeMismatch(file: String, tensor: String, expectedBytes: Int, actualBytes: Int)
    /// `data_offsets` is reversed (`end < begin`).
    case reversedOffsets(file: String, tensor: String, begin: Int, end: Int)
    /// `data_offsets` reaches past the data section.
    case offsetsOutOfRange(file: String, tensor: String, begin: Int, end: Int, dataSize: Int)
    /// Two tensors share bytes of the data section.
    case overlappingTensors(file: String, tensor: String, other: String)
    /// Bytes of the data section between two tensors (or before the first) belong to no tensor.
    case gapInData(file: String, before: String, gapBegin: Int, gapEnd: Int)
    /// Bytes after the last tensor belong to no tensor (the reference rejects these, e.g. polyglot files).
    case trailingBytes(file: String, dataEnd: Int, dataSize: Int)
    /// No tensor with this name.
    case tensorNotFound(file: String, tensor: String)
    /// The tensor's dtype cannot be read as `Float`.
    case notFloatingPoint(file: String, tensor: String, dtype: SafeTensorsDType)
    /// A destination buffer or a value array has the wrong element count.
    case countMismatch(tensor: String, expected: Int, actual: Int)
    /// The writer was given a name twice.
    case duplicateTensorName(tensor: String)
    /// The writer was given an empty or reserved name, or a negative dimension.
    case invalidTensor(tensor: String, detail: String)
    /// Reading or writing the file failed at the operating-system level.
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case let .fileTooSmall(file, size):
            return "\(file): not a safetensors file: it is \(size) bytes, shorter than the 8-byte header length. "
                + "Re-export or re-download the file."
        case let .headerTooLarge(file, claimed, limit):
            return "\(file): header length \(claimed) bytes exceeds the \(limit)-byte limit; the file is corrupt or "
                + "not a safetensors file. Re-export it with the `safetensors` library."
        case let .headerLengthPastEnd(file, claimed, fileSize):
            return "\(file): header length \(claimed) bytes runs past the end of the \(fileSize)-byte file; the file "
                + "is truncated or not a safetensors file. Re-download or re-export it."
        case let .headerNotUTF8(file):
            return "\(file): header is not valid UTF-8. The file is corrupt; re-export it."
        case let .headerNotJSON(file, detail):
            return "\(file): header is not a JSON object: \(detail). The file is corrupt or not a safetensors file."
        case let .duplicateKey(file, key):
            return "\(file): header repeats the key '\(key)'; each tensor name may appear once. Re-export the file."
        case let .invalidMetadata(file, detail):
            return "\(file): '__metadata__' must be an object of string values: \(detail). "
                + "Write metadata values as strings (e.g. {\"format\": \"pt\"})."
        case let .invalidTensorEntry(file, tensor, detail):
            return "\(file): tensor '\(tensor)': \(detail). Each entry needs \"dtype\" (string), \"shape\" "
                + "(array of non-negative integers) and \"data_offsets\" ([begin, end])."
        case let .unknownDType(file, tensor, dtype):
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): tensor '\(tensor)' has unknown dtype '\(dtype)'; supported: \(known). "
                + "Convert the checkpoint to F32, F16 or BF16."
        case let .sizeOverflow(file, tensor):
            return "\(file): tensor '\(tensor)': shape × dtype size overflows a 64-bit byte count; the header is corrupt."
        case let .sizeMismatch(file, tensor, expected, actual):
            return "\(file): tensor '\(tensor)': shape and dtype need \(expected) bytes but data_offsets span "
                + "\(actual) bytes; the header is corrupt. Re-export the file."
        case let .reversedOffsets(file, tensor, begin, end):
            return "\(file): tensor '\(tensor)': data_offsets [\(begin), \(end)] end before they begin; the header "
                + "is corrupt. Re-export the file."
        case let .offsetsOutOfRange(file, tensor, begin, end, dataSize):
            return "\(file): tensor '\(tensor)' claims bytes [\(begin), \(end)) but the data section holds only "
                + "\(dataSize) bytes; the file is truncated or its header is corrupt. Re-download or re-export it."
        case let .overlappingTensors(file, tensor, other):
            return "\(file): tensors '\(other)' and '\(tensor)' overlap in the data section; the header is corrupt. "
                + "Re-export the file."
        case let .gapInData(file, before, gapBegin, gapEnd):
            return "\(file): data bytes [\(gapBegin), \(gapEnd)) before tensor '\(before)' belong to no tensor; "
                + "safetensors data must be contiguous. Re-export the file with the `safetensors` library."
        case let .trailingBytes(file, dataEnd, dataSize):
            return "\(file): the tensors end at data byte \(dataEnd) but the data section is \(dataSize) bytes; "
                + "trailing bytes are not allowed. Re-export the file, or truncate the extra bytes."
        case let .tensorNotFound(file, tensor):
            return "\(file): no tensor named '\(tensor)'. Check the name (list them with `SafeTensorsFile.tensors`)."
        case let .notFloatingPoint(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype.rawValue), which cannot be read as Float; "
                + "only F32, F16, BF16 and F64 can."
        case let .countMismatch(tensor, expected, actual):
            return "tensor '\(tensor)': expected \(expected) elements but got \(actual). "
                + "Pass a buffer whose count equals the product of the shape."
        case let .duplicateTensorName(tensor):
            return "tensor '\(tensor)' was added twice; tensor names in a safetensors file must be unique."
        case let .invalidTensor(tensor, detail):
            return "tensor '\(tensor)': \(detail)."
        case let .io(path, detail):
            return "\(path): \(detail)."
        }
    }
}
