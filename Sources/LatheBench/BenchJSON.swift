import JSONText

/// Benchmark results as JSON, written by JSONText's one writer (keys sorted, one line): the Swift
/// values a benchmark collects (integers, floating point, strings, booleans, and arrays and
/// dictionaries of them) become `JSONValue`s.
enum BenchJSON {
    /// `any` as a JSON value; a value of another type is written as its description (a string).
    static func value(_ any: Any) -> JSONValue {
        switch any {
        case let v as JSONValue: v
        case let v as Bool: .bool(v)
        case let v as Int: .int(v)
        case let v as Int32: .int(Int(v))
        case let v as Int64: .int(Int(v))
        case let v as UInt64: v <= UInt64(Int.max) ? .int(Int(v)) : .double(Double(v))
        case let v as Double: .double(v)
        case let v as Float: .double(Double(v))
        case let v as String: .string(v)
        case let v as [Any]: .array(v.map(value))
        case let v as [String: Any]: .object(JSONObject(v.mapValues(value)))
        default: .string("\(any)")
        }
    }

    /// `fields` as one line of JSON, keys sorted.
    static func line(_ fields: [String: Any]) -> String { value(fields).compact() }
}
