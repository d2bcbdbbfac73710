/// A JSON object's members in insertion order (file order when parsed), each key exactly as written,
/// with O(1) lookups by key.
///
/// Keys are compared by their UTF-8 bytes, as JSON (and serde_json, HF `tokenizers`, the safetensors
/// reference) compares them: "é" and "e\u{301}" are two members, a repeated key spelled the same is a
/// duplicate. Swift's `String` equality is canonical equivalence, so a lookup by key (`object["é"]`)
/// finds the first member canonically equal to it; iterate (or use ``keys`` and ``values``) to see every
/// member. Equality ignores member order; the writer sorts keys by UTF-8 bytes unless told otherwise.
public struct JSONObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// Keys in insertion order, exactly as written.
    public private(set) var keys: [String] = []
    /// Values in key order.
    public private(set) var values: [JSONValue] = []
    /// Position of the first member canonically equal to each key.
    private var index: [String: Int] = [:]
    /// The exact spellings of keys that share their canonical form with another member's (rare), so a
    /// duplicate among them is found in O(key length), whatever a hostile file repeats.
    private var spelledApart: Set<[UInt8]> = []

    /// An empty object.
    public init() {}

    /// The members of `dictionary`, keys sorted by UTF-8 bytes (a deterministic order).
    public init(_ dictionary: [String: JSONValue]) {
        for key in dictionary.keys.sorted(by: JSONObject.utf8Order) { _ = insertNew(key, dictionary[key]!) }
    }

    /// Members in the order given; a repeated key keeps its first position and its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The value of the first member canonically equal to `key`. Setting replaces that member's value
    /// (or appends a new member); setting nil removes every member canonically equal to `key`.
    /// O(1) reads, replacements and appends; O(members) removals.
    public subscript(key: String) -> JSONValue? {
        get { index[key].map { values[$0] } }
        set {
            if let newValue {
                if let position = index[key] { values[position] = newValue } else { _ = insertNew(key, newValue) }
            } else if index[key] != nil {
                let kept = zip(keys, values).filter { $0.0 != key }
                self = JSONObject()
                for (k, v) in kept { _ = insertNew(k, v) }
            }
        }
    }

    /// Appends a member unless one with exactly these bytes exists (then false, and no change): the
    /// parser's duplicate-key check. O(1).
    public mutating func insertNew(_ key: String, _ value: JSONValue) -> Bool {
        if let position = index[key] {
            // A canonically equal key: a duplicate when spelled the same as any member of its class,
            // else its own member (found by iteration, not by lookup).
            let bytes = Array(key.utf8)
            if keys[position].utf8.elementsEqual(bytes) { return false }
            spelledApart.insert(Array(keys[position].utf8))
            guard spelledApart.insert(bytes).inserted else { return false }
        } else {
            index[key] = keys.count
        }
        keys.append(key)
        values.append(value)
        return true
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }
    /// The members as a dictionary (order dropped; of canonically equal keys, the first).
    public var dictionary: [String: JSONValue] { index.mapValues { values[$0] } }

    /// Members in insertion order.
    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var position = 0
        let keys = self.keys, values = self.values
        return AnyIterator { () -> (key: String, value: JSONValue)? in
            guard position < keys.count else { return nil }
            defer { position += 1 }
            return (key: keys[position], value: values[position])
        }
    }

    /// Member positions with keys sorted by UTF-8 bytes (ties keep insertion order).
    public func sortedPositions() -> [Int] {
        keys.indices.sorted { a, b in
            JSONObject.utf8Order(keys[a], keys[b]) || (!JSONObject.utf8Order(keys[b], keys[a]) && a < b)
        }
    }

    /// Same members (exact keys and values), whatever the order.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a.sortedPositions(), b.sortedPositions()).allSatisfy { i, j in
            a.keys[i].utf8.elementsEqual(b.keys[j].utf8) && a.values[i] == b.values[j]
        }
    }

    /// Order-independent, consistent with `==`.
    public func hash(into hasher: inout Hasher) {
        var sum = 0
        for (key, value) in zip(keys, values) {
            var member = Hasher()
            for byte in key.utf8 { member.combine(byte) }
            member.combine(value)
            sum = sum &+ member.finalize()
        }
        hasher.combine(count)
        hasher.combine(sum)
    }

    /// Sorting by UTF-8 bytes (not locale, not Unicode collation) gives the same order on every machine.
    public static func utf8Order(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
