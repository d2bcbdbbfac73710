/// A JSON document: the one value type every JSON file Lathe reads or writes goes through (lock files,
/// manifests, records, safetensors headers, the recipe schema, benchmark lines).
///
/// Numbers keep what their text says: an integer literal (no fraction, no exponent) that fits `Int`
/// is `.int`, exactly (safetensors offsets, step counts); every other number is `.double`. Objects
/// keep their members in file or insertion order (``JSONObject``). Parse with ``parse(_:maxDepth:)``
/// (`JSONValue+Parsing.swift`); write with ``rendered()`` / ``compact()`` (`JSONValue+Writing.swift`).
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The value under `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// Integers and doubles as a double.
    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// Integers, and doubles with no fraction below 9·10^15 (where every integer is exact).
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    /// An integer literal ≥ 0 (never a double, however integral): what safetensors shapes and offsets must be.
    public var nonNegativeInt: Int? {
        if case .int(let i) = self, i >= 0 { return i }
        return nil
    }

    /// A short name for error messages ("a string", "an array", ...).
    public var kindName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .int, .double: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// Literals for documents written in code (configs, schemas): `["type": "BPE", "fuse_unk": false,
/// "merges": ["a b"]]`. Numbers have no literal form, so `.int` and `.double` are always explicit.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Members in the order written.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var members = JSONObject()
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}
