/// Open-addressing hash map from a token pair `(left, right)` to a 64-bit value.
///
/// The encoder's merge table (pair → rank and merged id) and the trainer's pair slots live here:
/// Swift's `Dictionary` hashes with per-process-seeded SipHash, which is slower than this
/// multiplicative hash and gives no benefit for keys we generate ourselves.
///
/// - Complexity: O(1) expected per lookup/insert; load factor kept ≤ 1/2.
struct PairTable: Sendable {
    static let empty = UInt64.max
    var keys: [UInt64]
    var values: [UInt64]
    var mask: Int
    var count = 0

    init(capacity: Int = 16) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: PairTable.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func key(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

    @inline(__always)
    func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 29) & mask
    }

    /// The value stored for `key`, or nil.
    func get(_ key: UInt64) -> UInt64? {
        keys.withUnsafeBufferPointer { k in
            var s = slot(for: key)
            while true {
                let stored = k[s]
                if stored == key { return values[s] }
                if stored == PairTable.empty { return nil }
                s = (s + 1) & mask
            }
        }
    }

    /// Stores `value` for `key`, replacing any previous value.
    mutating func set(_ key: UInt64, _ value: UInt64) {
        if (count + 1) * 2 > keys.count { grow() }
        var s = slot(for: key)
        while true {
            let stored = keys[s]
            if stored == key { values[s] = value; return }
            if stored == PairTable.empty {
                keys[s] = key
                values[s] = value
                count += 1
                return
            }
            s = (s + 1) & mask
        }
    }

    mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        keys = [UInt64](repeating: PairTable.empty, count: oldKeys.count * 2)
        values = [UInt64](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for i in 0..<oldKeys.count where oldKeys[i] != PairTable.empty {
            set(oldKeys[i], oldValues[i])
        }
    }
}
