extension JSONValue {
    /// The nesting limit of ``parse(_:maxDepth:)`` unless told otherwise (lock files, records, configs).
    public static let defaultMaxDepth = 512

    /// Parses JSON text (RFC 8259, strict; see `JSONParser`).
    /// - Parameter maxDepth: a value inside this many containers is refused (safetensors headers use 64).
    /// - Complexity: O(n) in the byte count.
    /// - Throws: ``JSONParseError`` with the byte offset of the problem.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = JSONValue.defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses the UTF-8 bytes of `text`.
    public static func parse(_ text: String, maxDepth: Int = JSONValue.defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8), maxDepth: maxDepth)
    }

    /// Parses any byte collection (Foundation's `Data` included, without JSONText importing Foundation).
    public static func parse<Bytes: Sequence<UInt8>>(_ bytes: Bytes, maxDepth: Int = JSONValue.defaultMaxDepth) throws(JSONParseError) -> JSONValue {
        try parse(Array(bytes), maxDepth: maxDepth)
    }
}
