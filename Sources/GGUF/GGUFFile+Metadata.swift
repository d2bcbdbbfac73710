/// Typed reads of metadata values, each throwing a message that names the file and key.
extension GGUFFile {
    /// The value at `key`, or nil.
    public subscript(key: String) -> GGUFValue? { metadata[key] }

    /// `general.architecture` (`llama`, `qwen2`, `gpt2`, …).
    public func architecture() throws(GGUFError) -> String { try string("general.architecture") }

    public func string(_ key: String) throws(GGUFError) -> String {
        let value = try required(key)
        guard let s = value.stringValue else { throw wrongType(key, "a string", value) }
        return s
    }

    /// Any integer type, as `Int` (negative values allowed).
    public func int(_ key: String) throws(GGUFError) -> Int {
        let value = try required(key)
        guard let i = value.intValue else { throw wrongType(key, "an integer", value) }
        return i
    }

    /// Any float or integer type, as `Double`.
    public func double(_ key: String) throws(GGUFError) -> Double {
        let value = try required(key)
        guard let d = value.doubleValue else { throw wrongType(key, "a number", value) }
        return d
    }

    public func bool(_ key: String) throws(GGUFError) -> Bool {
        let value = try required(key)
        guard let b = value.boolValue else { throw wrongType(key, "a bool", value) }
        return b
    }

    /// An array of strings.
    public func strings(_ key: String) throws(GGUFError) -> [String] {
        let value = try required(key)
        guard case let .array(.string, values) = value else { throw wrongType(key, "an array of strings", value) }
        return values.map { $0.stringValue ?? "" }
    }

    /// An array of integers (any integer element type).
    public func ints(_ key: String) throws(GGUFError) -> [Int] {
        let value = try required(key)
        guard let values = value.arrayValues else { throw wrongType(key, "an array of integers", value) }
        var out: [Int] = []
        out.reserveCapacity(values.count)
        for v in values {
            guard let i = v.intValue else { throw wrongType(key, "an array of integers", value) }
            out.append(i)
        }
        return out
    }

    /// An array of numbers, as `Float`.
    public func floatArray(_ key: String) throws(GGUFError) -> [Float] {
        let value = try required(key)
        guard let values = value.arrayValues else { throw wrongType(key, "an array of numbers", value) }
        var out: [Float] = []
        out.reserveCapacity(values.count)
        for v in values {
            guard let d = v.doubleValue else { throw wrongType(key, "an array of numbers", value) }
            out.append(Float(d))
        }
        return out
    }

    /// Present or nil: `try file.optional { try $0.int("llama.context_length") }` style reads.
    public func optional<T>(_ key: String, _ read: (GGUFFile) throws(GGUFError) -> T) throws(GGUFError) -> T? {
        metadata[key] == nil ? nil : try read(self)
    }

    private func required(_ key: String) throws(GGUFError) -> GGUFValue {
        guard let value = metadata[key] else { throw .missingMetadata(file: name, key: key) }
        return value
    }

    private func wrongType(_ key: String, _ expected: String, _ found: GGUFValue) -> GGUFError {
        .wrongMetadataType(file: name, key: key, expected: expected, found: found.description)
    }
}
