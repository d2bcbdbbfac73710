/// Decodes a stage's checked values into its typed params (`Decodable`; every params struct's
/// `CodingKeys` are the recipe key names).
///
/// The values have passed every check of `ValueChecker` and hold every default of the key tables
/// (`fillDefaults`), with aliases already normalised to the canonical names, so the params structs
/// declare no defaults of their own. Decoding also proves the tables and the structs agree: a checked
/// key that no field reads is an error (`unread`), as is a field whose key is absent and has no default.
/// Cost: one pass over the values, O(keys).
struct CheckedValueDecoder: Decoder, SingleValueDecodingContainer {
    /// Dotted paths (`datasets[0].path`) of the object keys decoding has read.
    final class Ledger {
        var read: Set<String> = []
    }

    /// A list index as a coding key (`datasets[2]`).
    struct Index: CodingKey {
        var intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(intValue: Int) { self.intValue = intValue }
        init?(stringValue: String) { return nil }
    }

    let value: CheckedValue
    let codingPath: [any CodingKey]
    let ledger: Ledger
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Decodes `fields` (one stage's, or one nested mapping's) into `T`.
    /// - Throws: `DecodingError` when a field has no value or the wrong kind of value, or when a key of
    ///   `fields` is read by no field of `T` (the key tables and the params structs disagree).
    static func decode<T: Decodable>(_ type: T.Type, from fields: [String: CheckedValue]) throws -> T {
        let ledger = Ledger()
        let root = CheckedValue.object(fields)
        let result = try CheckedValueDecoder(value: root, codingPath: [], ledger: ledger).decode(T.self)
        let unread = objectKeyPaths(of: root, at: "").subtracting(ledger.read)
        guard unread.isEmpty else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription:
                "no field of \(T.self) reads " + unread.sorted().map { "'\($0)'" }.joined(separator: ", ")))
        }
        return result
    }

    /// `codingPath` as `datasets[0].path`.
    static func text(of path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue { out += "[\(index)]" } else { out += (out.isEmpty ? "" : ".") + key.stringValue }
        }
        return out
    }

    /// Every object key under `value`, as dotted paths.
    static func objectKeyPaths(of value: CheckedValue, at path: String) -> Set<String> {
        switch value {
        case .object(let fields):
            var out: Set<String> = []
            for (key, item) in fields {
                let keyPath = path.isEmpty ? key : path + "." + key
                out.insert(keyPath)
                out.formUnion(objectKeyPaths(of: item, at: keyPath))
            }
            return out
        case .list(let items):
            var out: Set<String> = []
            for (index, item) in items.enumerated() { out.formUnion(objectKeyPaths(of: item, at: "\(path)[\(index)]")) }
            return out
        default:
            return []
        }
    }

    func mismatch<T>(_ type: T.Type) -> DecodingError {
        DecodingError.typeMismatch(type, .init(codingPath: codingPath, debugDescription:
            "'\(Self.text(of: codingPath))' holds \(value), which is not a \(T.self)"))
    }

    // MARK: Decoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let fields) = value else { throw mismatch([String: CheckedValue].self) }
        return KeyedDecodingContainer(Keyed<Key>(fields: fields, codingPath: codingPath, ledger: ledger))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .list(let items) = value else { throw mismatch([CheckedValue].self) }
        return Unkeyed(items: items, codingPath: codingPath, ledger: ledger)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Single values

    func decodeNil() -> Bool { false }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let flag) = value else { throw mismatch(type) }
        return flag
    }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = value else { throw mismatch(type) }
        return text
    }

    /// A `.number` key may hold an integer (`val_set_size: 2`).
    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .number(let number): return number
        case .int(let number): return Double(number)
        default: throw mismatch(type)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    func decode(_ type: Int.Type) throws -> Int {
        guard case .int(let number) = value else { throw mismatch(type) }
        return number
    }

    private func exactly<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let number = T(exactly: try decode(Int.self)) else { throw mismatch(type) }
        return number
    }

    func decode(_ type: Int8.Type) throws -> Int8 { try exactly(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try exactly(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try exactly(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try exactly(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try exactly(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try exactly(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try exactly(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try exactly(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try exactly(type) }

    /// A `from:` / `tokenizer:` / `models:` entry is already a `FromRef`; everything else decodes itself.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == FromRef.self {
            guard case .ref(let reference) = value, let typed = reference as? T else { throw mismatch(type) }
            return typed
        }
        return try T(from: self)
    }

    // MARK: Containers

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let fields: [String: CheckedValue]
        let codingPath: [any CodingKey]
        let ledger: Ledger

        var allKeys: [Key] { fields.keys.compactMap(Key.init(stringValue:)) }
        func contains(_ key: Key) -> Bool { fields[key.stringValue] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { fields[key.stringValue] == nil }

        /// The decoder of `key`'s value; marks the key read.
        func child(_ key: Key) throws -> CheckedValueDecoder {
            let path = codingPath + [key]
            guard let value = fields[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription:
                    "'\(CheckedValueDecoder.text(of: path))' is absent and its key table gives no default"))
            }
            ledger.read.insert(CheckedValueDecoder.text(of: path))
            return CheckedValueDecoder(value: value, codingPath: path, ledger: ledger)
        }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
        func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try child(key).decode(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
        func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try child(key).decode(type) }
        func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try child(key).decode(type) }
        func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try child(key).decode(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try child(key).decode(type) }
        func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try child(key).decode(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }
        func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try child(key).decode(type) }
        func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try child(key).decode(type) }
        func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try child(key).decode(type) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type,
                                                   forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
            try child(key).container(keyedBy: type)
        }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
        /// The same mapping: how `AdapterParams` reads the training keys beside its own.
        func superDecoder() throws -> any Decoder {
            CheckedValueDecoder(value: .object(fields), codingPath: codingPath, ledger: ledger)
        }
        func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
    }

    struct Unkeyed: UnkeyedDecodingContainer {
        let items: [CheckedValue]
        let codingPath: [any CodingKey]
        let ledger: Ledger
        var currentIndex = 0

        var count: Int? { items.count }
        var isAtEnd: Bool { currentIndex >= items.count }

        mutating func next() throws -> CheckedValueDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(CheckedValue.self, .init(codingPath: codingPath, debugDescription: "the list has ended"))
            }
            defer { currentIndex += 1 }
            return CheckedValueDecoder(value: items[currentIndex], codingPath: codingPath + [Index(currentIndex)], ledger: ledger)
        }

        mutating func decodeNil() throws -> Bool { false }
        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }
        mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decode(type) }
        mutating func decode(_ type: String.Type) throws -> String { try next().decode(type) }
        mutating func decode(_ type: Double.Type) throws -> Double { try next().decode(type) }
        mutating func decode(_ type: Float.Type) throws -> Float { try next().decode(type) }
        mutating func decode(_ type: Int.Type) throws -> Int { try next().decode(type) }
        mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decode(type) }
        mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decode(type) }
        mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decode(type) }
        mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decode(type) }
        mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decode(type) }
        mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decode(type) }
        mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decode(type) }
        mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decode(type) }
        mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decode(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }
        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { try next() }
    }
}
