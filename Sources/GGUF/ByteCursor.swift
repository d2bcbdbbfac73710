/// A little-endian reader over the header of a GGUF file in which every read is bounds-checked and
/// every failure names the file and the field being read.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    let file: String
    private(set) var position = 0

    init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Bytes left after the cursor.
    var remaining: Int { bytes.count - position }

    mutating func need(_ n: UInt64, _ field: @autoclosure () -> String) throws(GGUFError) {
        guard n <= UInt64(remaining) else {
            throw .truncated(file: file, field: field(), offset: position, needed: n, available: remaining)
        }
    }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws(GGUFError) -> T {
        try need(UInt64(MemoryLayout<T>.size), field())
        let value = bytes.loadUnaligned(fromByteOffset: position, as: T.self)
        position += MemoryLayout<T>.size
        return T(littleEndian: value)
    }

    mutating func u8(_ field: @autoclosure () -> String) throws(GGUFError) -> UInt8 { try integer(UInt8.self, field()) }
    mutating func u32(_ field: @autoclosure () -> String) throws(GGUFError) -> UInt32 { try integer(UInt32.self, field()) }
    mutating func u64(_ field: @autoclosure () -> String) throws(GGUFError) -> UInt64 { try integer(UInt64.self, field()) }

    /// A GGUF string: a `uint64` byte length, then that many UTF-8 bytes (no terminator).
    mutating func string(_ field: @autoclosure () -> String) throws(GGUFError) -> String {
        let length = try u64(field() + " (length)")
        try need(length, field())
        let n = Int(length)
        let slice = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + n)])
        position += n
        guard let text = Self.decodeUTF8(slice) else { throw .notUTF8(file: file, field: field()) }
        return text
    }

    /// `bytes` as a String when they are valid UTF-8 (the standard library's decoder repairs invalid input,
    /// so a repaired result differs from the bytes).
    static func decodeUTF8(_ raw: UnsafeRawBufferPointer) -> String? {
        let text = String(decoding: raw, as: UTF8.self)
        return text.utf8.elementsEqual(raw) ? text : nil
    }
}
