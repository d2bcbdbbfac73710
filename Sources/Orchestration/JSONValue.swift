import Foundation
import JSONText

/// A JSON document with a deterministic writer: object keys sorted by UTF-8 bytes, two-space
/// indentation, numbers in their shortest round-trip form. Lock files and manifests are written
/// with it so that the same content always gives the same bytes (and clean `git diff`s).
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The value under `key` when this is an object.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d == d.rounded() && abs(d) < 9e15: return Int(d)
        default: return nil
        }
    }

    /// Pretty, sorted, newline-terminated text.
    public func rendered() -> String {
        var out = ""
        write(into: &out, indent: 0)
        out.append("\n")
        return out
    }

    /// One-line sorted text (for hashing and JSON-lines logs).
    public func compact() -> String {
        var out = ""
        writeCompact(into: &out)
        return out
    }

    private func write(into out: inout String, indent: Int) {
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append("[\n")
            for (i, item) in items.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                item.write(into: &out, indent: indent + 2)
                out.append(i == items.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent))
            out.append("]")
        case .object(let members) where !members.isEmpty:
            out.append("{\n")
            let keys = members.keys.sorted(by: JSONValue.keyOrder)
            for (i, key) in keys.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                JSONString.append(key, to: &out)
                out.append(": ")
                members[key]!.write(into: &out, indent: indent + 2)
                out.append(i == keys.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent))
            out.append("}")
        default:
            writeCompact(into: &out)
        }
    }

    private func writeCompact(into out: inout String) {
        switch self {
        case .null: out.append("null")
        case .bool(let b): out.append(b ? "true" : "false")
        case .int(let i): out.append(String(i))
        case .double(let d): out.append(JSONValue.format(d))
        case .string(let s): JSONString.append(s, to: &out)
        case .array(let items):
            out.append("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(",") }
                item.writeCompact(into: &out)
            }
            out.append("]")
        case .object(let members):
            out.append("{")
            for (i, key) in members.keys.sorted(by: JSONValue.keyOrder).enumerated() {
                if i > 0 { out.append(",") }
                JSONString.append(key, to: &out)
                out.append(":")
                members[key]!.writeCompact(into: &out)
            }
            out.append("}")
        }
    }

    /// Sorting by UTF-8 bytes (not locale) keeps output identical on every machine.
    static func keyOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    /// Shortest round-trip text; integral values keep a `.0` so they read back as doubles;
    /// non-finite values (never valid JSON) become null.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return String(format: "%.1f", d) }
        return "\(d)"
    }
}

