public import JSONText
import Orchestration

/// A small JSON Schema checker covering the keywords Lathe's schemas use: type, const, enum,
/// required, properties, additionalProperties, items, pattern (as a prefix/char-class subset is not
/// needed: patterns are checked with a regex), minimum, maximum, oneOf, anyOf, $ref to #/$defs.
///
/// Returns every violation as `path: problem`, empty when valid.
public struct SchemaValidator {
    let root: JSONValue

    public init(schema: JSONValue) { root = schema }

    public func validate(_ value: JSONValue) -> [String] {
        var problems: [String] = []
        check(value, against: root, at: "$", into: &problems)
        return problems
    }

    func resolve(_ schema: JSONValue) -> JSONValue {
        guard let ref = schema["$ref"]?.stringValue, ref.hasPrefix("#/") else { return schema }
        var node = root
        for part in ref.dropFirst(2).split(separator: "/") { node = node[String(part)] ?? .null }
        return node
    }

    func check(_ value: JSONValue, against rawSchema: JSONValue, at path: String, into problems: inout [String]) {
        if case .bool(let allowed) = rawSchema {
            if !allowed { problems.append("\(path): not allowed") }
            return
        }
        let schema = resolve(rawSchema)
        if let type = schema["type"] {
            let types = type.arrayValue?.compactMap(\.stringValue) ?? [type.stringValue ?? ""]
            if !types.contains(where: { matches(value, type: $0) }) {
                problems.append("\(path): expected \(types.joined(separator: " or ")), got \(value.compact())")
                return
            }
        }
        if let constant = schema["const"], constant != value { problems.append("\(path): must be \(constant.compact())") }
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            problems.append("\(path): \(value.compact()) is not one of \(JSONValue.array(options).compact())")
        }
        if let pattern = schema["pattern"]?.stringValue, let s = value.stringValue,
           let regex = try? Regex(pattern), (try? regex.firstMatch(in: s)) == nil {
            problems.append("\(path): '\(s)' does not match \(pattern)")
        }
        if let minimum = schema["minimum"]?.doubleValue, let d = value.doubleValue, d < minimum {
            problems.append("\(path): \(d) < minimum \(minimum)")
        }
        if let maximum = schema["maximum"]?.doubleValue, let d = value.doubleValue, d > maximum {
            problems.append("\(path): \(d) > maximum \(maximum)")
        }
        if let object = value.objectValue {
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where object[name] == nil {
                problems.append("\(path): missing required '\(name)'")
            }
            let properties = schema["properties"]?.objectValue ?? [:]
            for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                if let sub = properties[name] {
                    check(member, against: sub, at: "\(path).\(name)", into: &problems)
                } else if let extra = schema["additionalProperties"] {
                    check(member, against: extra, at: "\(path).\(name)", into: &problems)
                }
            }
        }
        if let items = value.arrayValue, let itemSchema = schema["items"] {
            for (i, item) in items.enumerated() { check(item, against: itemSchema, at: "\(path)[\(i)]", into: &problems) }
        }
        if let alternatives = schema["oneOf"]?.arrayValue ?? schema["anyOf"]?.arrayValue {
            let passing = alternatives.filter { alt in
                var sub: [String] = []
                check(value, against: alt, at: path, into: &sub)
                return sub.isEmpty
            }.count
            let isOneOf = schema["oneOf"] != nil
            if passing == 0 || (isOneOf && passing > 1) {
                problems.append("\(path): matches \(passing) of the \(isOneOf ? "oneOf" : "anyOf") alternatives")
            }
        }
    }

    func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null): return true
        case ("integer", .int): return true
        case ("integer", .double(let d)): return d == d.rounded()
        case ("number", .int), ("number", .double): return true
        default: return false
        }
    }
}
