/// GPT-2's reversible byte ↔ printable-character table (HF `ByteLevel`, `bytes_char()`).
///
/// Bytes `!`...`~`, `0xA1...0xAC` and `0xAE...0xFF` map to the scalar with the same value; the other
/// 68 bytes map to `U+0100 + k` in byte order (`0x20 → Ġ U+0120`, `0x0A → Ċ U+010A`). GPT-2 numbers
/// its 256 base tokens in this table's order (the printable bytes first), and so does Lathe, so a
/// Lathe vocabulary and GPT-2's agree on every single-byte id.
public enum ByteLevel {
    /// `byteToScalar[b]` is the printable scalar standing for byte `b`.
    public static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 0
        for b in 0..<256 {
            if isPrintable(UInt8(b)) {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(0x100 + next)!
                next += 1
            }
        }
        return table
    }()

    /// GPT-2's base-token order: the printable bytes in byte order, then the remapped 68.
    /// `baseOrder[id]` is the byte whose single-byte token has id `id`.
    public static let baseOrder: [UInt8] = {
        (0..<256).map { UInt8($0) }.filter { isPrintable($0) } + (0..<256).map { UInt8($0) }.filter { !isPrintable($0) }
    }()

    /// Inverse of `baseOrder`: `baseId[b]` is the id of byte `b`'s single-byte token.
    public static let baseId: [UInt32] = {
        var ids = [UInt32](repeating: 0, count: 256)
        for (id, b) in baseOrder.enumerated() { ids[Int(b)] = UInt32(id) }
        return ids
    }()

    /// Encodes raw bytes as the byte-level string HF stores in `vocab` and `merges`.
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(byteToScalar[Int(b)]) }
        return String(s)
    }

    /// Decodes a byte-level string back to bytes. A scalar outside the table (e.g. an added token's
    /// literal text) contributes its own UTF-8 bytes, as HF's ByteLevel decoder does.
    public static func decode(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let b = scalarToByte(scalar) {
                out.append(b)
            } else {
                out.append(contentsOf: String(scalar).utf8)
            }
        }
        return out
    }

    /// The byte a table scalar stands for, or nil when the scalar is not in the table.
    public static func scalarToByte(_ scalar: Unicode.Scalar) -> UInt8? {
        let v = scalar.value
        if v < 256 { return isPrintable(UInt8(v)) ? UInt8(v) : nil }
        if v >= 0x100 && v < 0x100 + 68 { return nonPrintable[Int(v - 0x100)] }
        return nil
    }

    static let nonPrintable: [UInt8] = (0..<256).map { UInt8($0) }.filter { !isPrintable($0) }

    static func isPrintable(_ b: UInt8) -> Bool {
        (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE
    }
}
