/// Everything that can go wrong reading, dequantising or writing a GGUF file.
///
/// Every reader case names the file (the path, or `"<memory>"`) and the field, says what is wrong and how
/// to fix it. The reader checks each count and offset against the bytes that remain before it trusts it,
/// so a malformed file maps to one of these cases, never to a crash or an allocation sized by the file.
public enum GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file ends inside `field` (at byte `offset`, `needed` more bytes, `available` left).
    case truncated(file: String, field: String, offset: Int, needed: UInt64, available: Int)
    /// The first four bytes are not `GGUF`.
    case badMagic(file: String, found: [UInt8])
    /// A GGUF version other than 2 or 3 (1 predates 64-bit counts; a byte-swapped number means big-endian).
    case unsupportedVersion(file: String, version: UInt32)
    /// A count (`field`) claims more entries than the remaining bytes can hold.
    case countTooLarge(file: String, field: String, count: UInt64, limit: UInt64)
    /// A metadata value type id that GGUF does not define.
    case unknownValueType(file: String, key: String, type: UInt32)
    /// A metadata key appears twice.
    case duplicateKey(file: String, key: String)
    /// A string (a key, a value, a tensor name) is not valid UTF-8.
    case notUTF8(file: String, field: String)
    /// A bool value byte other than 0 or 1.
    case invalidBool(file: String, key: String, byte: UInt8)
    /// Arrays nested deeper than the reader allows.
    case nestingTooDeep(file: String, key: String, depth: Int)
    /// `general.alignment` is not a power of two (or not a `uint32`).
    case invalidAlignment(file: String, detail: String)
    /// A metadata key is absent.
    case missingMetadata(file: String, key: String)
    /// A metadata key holds a value of another type (or out of range).
    case wrongMetadataType(file: String, key: String, expected: String, found: String)
    /// A tensor name appears twice.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor has more than four dimensions, a negative or absurd one, or an element count that overflows.
    case invalidShape(file: String, tensor: String, detail: String)
    /// A tensor type id that ggml does not define.
    case unknownTensorType(file: String, tensor: String, type: UInt32)
    /// The innermost dimension is not a whole number of quantisation blocks.
    case partialBlock(file: String, tensor: String, type: String, rowLength: Int, blockSize: Int)
    /// A tensor's offset is not a multiple of the file's alignment.
    case misalignedTensor(file: String, tensor: String, offset: UInt64, alignment: Int)
    /// A tensor's bytes run past the end of the data section.
    case tensorPastEnd(file: String, tensor: String, begin: UInt64, end: UInt64, dataSize: Int)
    /// Two tensors share bytes.
    case overlappingTensors(file: String, tensor: String, other: String)
    /// No tensor with this name.
    case tensorNotFound(file: String, tensor: String)
    /// The tensor's type cannot be dequantised by Lathe.
    case unsupportedTensorType(file: String, tensor: String, type: String)
    /// The file is a valid GGUF but not a model Lathe can build (architecture, hyperparameters, tensors).
    case unsupportedModel(file: String, detail: String)
    /// A destination buffer has the wrong element count.
    case countMismatch(tensor: String, expected: Int, actual: Int)
    /// The writer was given an invalid tensor or value (empty or duplicate name, wrong count, bad shape).
    case invalidInput(detail: String)
    /// The operating system refused to open, map, read or write the file.
    case io(path: String, detail: String)

    public var description: String {
        switch self {
        case let .truncated(file, field, offset, needed, available):
            return "\(file): the file ends inside \(field) (byte \(offset) needs \(needed) more bytes, \(available) left); "
                + "it is truncated or not a GGUF file. Re-download it."
        case let .badMagic(file, found):
            let text = found.map { String($0, radix: 16) }.joined(separator: " ")
            return "\(file): not a GGUF file: it starts with bytes [\(text)] instead of 'GGUF'."
        case let .unsupportedVersion(file, version):
            return "\(file): GGUF version \(version) is not supported (Lathe reads versions 2 and 3, little-endian). "
                + "Re-convert the model with a current llama.cpp."
        case let .countTooLarge(file, field, count, limit):
            return "\(file): \(field) claims \(count) entries but the rest of the file can hold at most \(limit); "
                + "the file is corrupt or truncated."
        case let .unknownValueType(file, key, type):
            return "\(file): metadata '\(key)' has unknown value type \(type) (GGUF defines 0–12); the file is corrupt."
        case let .duplicateKey(file, key):
            return "\(file): metadata key '\(key)' appears twice; each key may appear once. The file is corrupt."
        case let .notUTF8(file, field):
            return "\(file): \(field) is not valid UTF-8; the file is corrupt."
        case let .invalidBool(file, key, byte):
            return "\(file): metadata '\(key)' is a bool stored as byte \(byte) (only 0 and 1 are valid); the file is corrupt."
        case let .nestingTooDeep(file, key, depth):
            return "\(file): metadata '\(key)' nests arrays more than \(depth) deep; the file is corrupt or hostile."
        case let .invalidAlignment(file, detail):
            return "\(file): general.alignment \(detail); it must be a uint32 power of two (default 32)."
        case let .missingMetadata(file, key):
            return "\(file): metadata '\(key)' is missing; the converter that wrote this file left it out."
        case let .wrongMetadataType(file, key, expected, found):
            return "\(file): metadata '\(key)' should be \(expected) but is \(found)."
        case let .duplicateTensor(file, tensor):
            return "\(file): tensor '\(tensor)' appears twice; the file is corrupt."
        case let .invalidShape(file, tensor, detail):
            return "\(file): tensor '\(tensor)': \(detail); the file is corrupt."
        case let .unknownTensorType(file, tensor, type):
            return "\(file): tensor '\(tensor)' has unknown ggml type \(type); the file is corrupt or newer than Lathe."
        case let .partialBlock(file, tensor, type, rowLength, blockSize):
            return "\(file): tensor '\(tensor)' (\(type)) has rows of \(rowLength) values, not a multiple of the "
                + "\(blockSize)-value block; the file is corrupt."
        case let .misalignedTensor(file, tensor, offset, alignment):
            return "\(file): tensor '\(tensor)' starts at data offset \(offset), not a multiple of the alignment \(alignment); "
                + "the file is corrupt."
        case let .tensorPastEnd(file, tensor, begin, end, dataSize):
            return "\(file): tensor '\(tensor)' claims data bytes [\(begin), \(end)) but the data section holds \(dataSize) "
                + "bytes; the file is truncated. Re-download it."
        case let .overlappingTensors(file, tensor, other):
            return "\(file): tensors '\(other)' and '\(tensor)' share bytes; the file is corrupt."
        case let .tensorNotFound(file, tensor):
            return "\(file): no tensor named '\(tensor)'."
        case let .unsupportedTensorType(file, tensor, type):
            return "\(file): tensor '\(tensor)' has type \(type), which Lathe cannot dequantise (it reads F32, F16, BF16, "
                + "Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K–Q6_K). Re-quantise the model with llama-quantize to one of those."
        case let .unsupportedModel(file, detail):
            return "\(file): cannot build a Lathe model from it: \(detail)."
        case let .countMismatch(tensor, expected, actual):
            return "tensor '\(tensor)': expected \(expected) values but got \(actual)."
        case let .invalidInput(detail):
            return "GGUF writer: \(detail)."
        case let .io(path, detail):
            return "\(path): \(detail)."
        }
    }
}
