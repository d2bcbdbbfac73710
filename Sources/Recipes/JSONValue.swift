import JSONText

/// A minimal JSON value with a deterministic pretty printer (sorted keys, two-space indent, trailing
/// newline), so the checked-in schema is byte-stable across platforms (Foundation's `JSONSerialization`
/// formats numbers and escapes slashes differently on Linux and macOS).
indirect enum JSONValue: Sendable, Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case int(Int)
    case number(Double)
    case bool(Bool)

    func rendered() -> String {
        var out = ""
        write(into: &out, indent: 0)
        return out + "\n"
    }

    private func write(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1), closing = String(repeating: "  ", count: indent)
        switch self {
        case .object(let fields):
            if fields.isEmpty { out += "{}"; return }
            out += "{\n"
            for (position, key) in fields.keys.sorted().enumerated() {
                out += pad + JSONString.quoted(key) + ": "
                fields[key]!.write(into: &out, indent: indent + 1)
                out += position == fields.count - 1 ? "\n" : ",\n"
            }
            out += closing + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (position, item) in items.enumerated() {
                out += pad
                item.write(into: &out, indent: indent + 1)
                out += position == items.count - 1 ? "\n" : ",\n"
            }
            out += closing + "]"
        case .string(let text): out += JSONString.quoted(text)
        case .int(let number): out += String(number)
        case .number(let number): out += number.description
        case .bool(let flag): out += flag ? "true" : "false"
        }
    }
}
