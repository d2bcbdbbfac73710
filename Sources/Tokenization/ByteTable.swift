/// Open-addressing hash map from a byte string to a 64-bit value, with keys copied into one arena.
///
/// Used for the encoder's word → ids cache and the trainer's word counts: both look up short byte
/// slices millions of times, and hashing a slice in place (no `Array` allocation per lookup) is
/// what makes them fast. The hash is unseeded, so iteration order is the same on every run.
///
/// - Complexity: O(length) per lookup; load factor kept ≤ 1/2.
struct ByteTable: Sendable {
    /// Slot `s` is empty when `hashes[s] == 0` (real hashes have their low bit set).
    var hashes: [UInt64]
    var keyStart: [UInt32]
    var keyLength: [UInt32]
    var values: [UInt64]
    var arena: [UInt8] = []
    var mask: Int
    var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        hashes = [UInt64](repeating: 0, count: size)
        keyStart = [UInt32](repeating: 0, count: size)
        keyLength = [UInt32](repeating: 0, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    /// A fast non-cryptographic hash of `len` bytes at `p` (8 bytes per step), low bit forced to 1.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ len: Int) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ UInt64(len)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= len {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
            i += 8
        }
        if i < len {
            var w: UInt64 = 0
            var shift: UInt64 = 0
            while i < len {
                w |= UInt64(p[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 29
        }
        h = (h ^ (h >> 32)) &* 0xD6E8_FEB8_6659_FD93
        return h | 1
    }

    /// The slot holding the key `p[0..<len]` (hash `h`), or the empty slot where it would go.
    @inline(__always)
    func find(_ p: UnsafePointer<UInt8>, _ len: Int, _ h: UInt64) -> (slot: Int, found: Bool) {
        var s = Int(truncatingIfNeeded: h >> 7) & mask
        while true {
            let stored = hashes[s]
            if stored == 0 { return (s, false) }
            if stored == h && Int(keyLength[s]) == len {
                let start = Int(keyStart[s])
                let same = arena.withUnsafeBufferPointer { a in
                    memoryEqual(a.baseAddress! + start, p, len)
                }
                if same { return (s, true) }
            }
            s = (s + 1) & mask
        }
    }

    /// Inserts the key at the empty slot `slot` returned by `find`; returns the slot it ended in
    /// (it moves when the table grows).
    mutating func insert(at slot: Int, _ p: UnsafePointer<UInt8>, _ len: Int, _ h: UInt64, value: UInt64) -> Int {
        var s = slot
        if (count + 1) * 2 > hashes.count {
            grow()
            s = find(p, len, h).slot
        }
        hashes[s] = h
        keyStart[s] = UInt32(arena.count)
        keyLength[s] = UInt32(len)
        values[s] = value
        arena.append(contentsOf: UnsafeBufferPointer(start: p, count: len))
        count += 1
        return s
    }

    /// The key stored in slot `s`.
    func key(at s: Int) -> ArraySlice<UInt8> {
        let start = Int(keyStart[s])
        return arena[start..<(start + Int(keyLength[s]))]
    }

    mutating func grow() {
        let oldHashes = hashes
        let oldStart = keyStart
        let oldLength = keyLength
        let oldValues = values
        let size = oldHashes.count * 2
        hashes = [UInt64](repeating: 0, count: size)
        keyStart = [UInt32](repeating: 0, count: size)
        keyLength = [UInt32](repeating: 0, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
        for i in 0..<oldHashes.count where oldHashes[i] != 0 {
            var s = Int(truncatingIfNeeded: oldHashes[i] >> 7) & mask
            while hashes[s] != 0 { s = (s + 1) & mask }
            hashes[s] = oldHashes[i]
            keyStart[s] = oldStart[i]
            keyLength[s] = oldLength[i]
            values[s] = oldValues[i]
        }
    }
}

/// `memcmp(a, b, n) == 0` without importing libc into the hot path.
@inline(__always)
func memoryEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ n: Int) -> Bool {
    var i = 0
    let ra = UnsafeRawPointer(a)
    let rb = UnsafeRawPointer(b)
    while i + 8 <= n {
        if ra.loadUnaligned(fromByteOffset: i, as: UInt64.self) != rb.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i += 8
    }
    while i < n {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
