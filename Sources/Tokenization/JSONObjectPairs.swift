/// Reads a vocabulary object as ordered `(key, id)` pairs and a merges list as string pairs, every
/// string exactly as written.
///
/// Foundation's `JSONSerialization` gives objects as Swift dictionaries, whose `String` keys
/// compare by canonical equivalence: `"é"` and `"e\u{301}"` become one entry and a vocabulary
/// loses an id; and it drops a leading U+FEFF from every string (a real token). So `model.vocab`,
/// `model.merges` and `vocab.json` are read with this scanner. The input has already been
/// validated by `JSONSerialization`; anything unexpected returns nil.
///
/// - Complexity: O(n) in the file size; nesting deeper than 512 levels returns nil.
struct JSONObjectPairs {
    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The members of the object at `path` (e.g. `["model", "vocab"]`; `[]` for the top level)
    /// whose values are integers, in file order.
    static func integerMembers(of bytes: [UInt8], at path: [String]) -> [(key: String, value: Int)]? {
        var scanner = JSONObjectPairs(bytes)
        guard scanner.seek(path[...]) else { return nil }
        return scanner.integerMembers()
    }

    /// The merges list at `path`: each entry `"left right"` or `["left", "right"]` as a pair, in
    /// file order (`#version` lines skipped); nil when an entry is neither.
    static func merges(of bytes: [UInt8], at path: [String]) -> [(String, String)]? {
        var scanner = JSONObjectPairs(bytes)
        guard scanner.seek(path[...]) else { return nil }
        return scanner.mergeList()
    }

    /// Moves `i` to the start of the value at `path`.
    mutating func seek(_ path: ArraySlice<String>) -> Bool {
        skipSpace()
        guard let first = path.first else { return true }
        guard i < bytes.count, bytes[i] == 0x7B else { return false }  // {
        i += 1
        skipSpace()
        if i < bytes.count, bytes[i] == 0x7D { return false }
        while true {
            skipSpace()
            guard let key = string() else { return false }
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x3A else { return false }  // :
            i += 1
            skipSpace()
            // Keys are compared exactly only for the ASCII field names of the path.
            if key == first { return seek(path.dropFirst()) }
            guard skipValue(depth: 0) else { return false }
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x2C else { return false }  // ,
            i += 1
        }
    }

    mutating func integerMembers() -> [(key: String, value: Int)]? {
        guard i < bytes.count, bytes[i] == 0x7B else { return nil }
        i += 1
        var out: [(key: String, value: Int)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == 0x7D { return out }
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard i < bytes.count, bytes[i] == 0x3A else { return nil }
            i += 1
            skipSpace()
            let start = i
            guard skipValue(depth: 0) else { return nil }
            if let n = Int(String(decoding: bytes[start..<i], as: UTF8.self)) { out.append((key, n)) }
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == 0x2C { i += 1; continue }  // ,
            if bytes[i] == 0x7D { return out }  // }
            return nil
        }
    }

    mutating func mergeList() -> [(String, String)]? {
        guard i < bytes.count, bytes[i] == 0x5B else { return nil }  // [
        i += 1
        var out: [(String, String)] = []
        skipSpace()
        if i < bytes.count, bytes[i] == 0x5D { return out }
        while true {
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == 0x22 {
                guard let line = string() else { return nil }
                if !line.hasPrefix("#version") {
                    guard let pair = BPETokenizer.splitLegacyMerge(line) else { return nil }
                    out.append(pair)
                }
            } else {
                guard bytes[i] == 0x5B else { return nil }
                i += 1
                skipSpace()
                guard let l = string() else { return nil }
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x2C else { return nil }
                i += 1
                skipSpace()
                guard let r = string() else { return nil }
                skipSpace()
                guard i < bytes.count, bytes[i] == 0x5D else { return nil }
                i += 1
                out.append((l, r))
            }
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == 0x2C { i += 1; continue }
            if bytes[i] == 0x5D { return out }
            return nil
        }
    }

    mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    /// Skips one value; false on malformed input or too deep nesting.
    mutating func skipValue(depth: Int) -> Bool {
        guard depth < 512, i < bytes.count else { return false }
        switch bytes[i] {
        case 0x22:
            return string() != nil
        case 0x7B, 0x5B:  // { [
            let close: UInt8 = bytes[i] == 0x7B ? 0x7D : 0x5D
            let isObject = bytes[i] == 0x7B
            i += 1
            skipSpace()
            if i < bytes.count, bytes[i] == close { i += 1; return true }
            while true {
                skipSpace()
                if isObject {
                    guard string() != nil else { return false }
                    skipSpace()
                    guard i < bytes.count, bytes[i] == 0x3A else { return false }
                    i += 1
                    skipSpace()
                }
                guard skipValue(depth: depth + 1) else { return false }
                skipSpace()
                guard i < bytes.count else { return false }
                if bytes[i] == 0x2C { i += 1; continue }
                if bytes[i] == close { i += 1; return true }
                return false
            }
        default:
            // A number, true, false or null: up to the next delimiter.
            let start = i
            while i < bytes.count, ![0x2C, 0x7D, 0x5D, 0x20, 0x0A, 0x0D, 0x09].contains(bytes[i]) { i += 1 }
            return i > start
        }
    }

    /// A string at `i` (which must be `"`), with escapes decoded.
    mutating func string() -> String? {
        guard i < bytes.count, bytes[i] == 0x22 else { return nil }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x22 {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            guard b == 0x5C else {
                out.append(b)
                i += 1
                continue
            }
            guard i + 1 < bytes.count else { return nil }
            let e = bytes[i + 1]
            i += 2
            switch e {
            case 0x22, 0x5C, 0x2F: out.append(e)
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                guard var unit = hex4() else { return nil }
                var scalar: UInt32 = unit
                if (0xD800..<0xDC00).contains(unit), i + 1 < bytes.count, bytes[i] == 0x5C, bytes[i + 1] == 0x75 {
                    let save = i
                    i += 2
                    if let low = hex4(), (0xDC00..<0xE000).contains(low) {
                        scalar = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                    unit = 0
                }
                out.append(contentsOf: String(Unicode.Scalar(scalar) ?? "\u{FFFD}").utf8)
            default:
                return nil
            }
        }
        return nil
    }

    mutating func hex4() -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = TokenDecoder.hexValue(bytes[i + k]) else { return nil }
            v = v << 4 | UInt32(d)
        }
        i += 4
        return v
    }
}
