/// The one JSON writer: deterministic text, so the same content always gives the same bytes (lock
/// files, manifests and the checked-in schema diff cleanly and hash stably).
///
/// Object keys are sorted by UTF-8 bytes unless `sortingKeys` is false (then insertion order, for
/// records whose fields read best in the order written); strings as ``JSONString`` writes them;
/// integers as written; doubles in their shortest round-trip form, integral ones with a `.0` so they
/// read back as doubles; non-finite doubles (never valid JSON) as `null`.
extension JSONValue {
    /// Two-space indented, newline-terminated text. O(n) plus the key sorts.
    public func rendered(sortingKeys: Bool = true) -> String {
        var out = ""
        write(into: &out, indent: 0, sortingKeys: sortingKeys)
        out.append("\n")
        return out
    }

    /// One line with no spaces (for hashing and JSON-lines logs).
    public func compact(sortingKeys: Bool = true) -> String {
        var out = ""
        writeCompact(into: &out, sortingKeys: sortingKeys)
        return out
    }

    private static func positions(_ members: JSONObject, sorting: Bool) -> [Int] {
        sorting ? members.sortedPositions() : Array(members.keys.indices)
    }

    private func write(into out: inout String, indent: Int, sortingKeys: Bool) {
        switch self {
        case .array(let items) where !items.isEmpty:
            out.append("[\n")
            for (i, item) in items.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                item.write(into: &out, indent: indent + 2, sortingKeys: sortingKeys)
                out.append(i == items.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent))
            out.append("]")
        case .object(let members) where !members.isEmpty:
            out.append("{\n")
            let order = Self.positions(members, sorting: sortingKeys)
            for (i, position) in order.enumerated() {
                out.append(String(repeating: " ", count: indent + 2))
                JSONString.append(members.keys[position], to: &out)
                out.append(": ")
                members.values[position].write(into: &out, indent: indent + 2, sortingKeys: sortingKeys)
                out.append(i == order.count - 1 ? "\n" : ",\n")
            }
            out.append(String(repeating: " ", count: indent))
            out.append("}")
        default:
            writeCompact(into: &out, sortingKeys: sortingKeys)
        }
    }

    private func writeCompact(into out: inout String, sortingKeys: Bool) {
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
                item.writeCompact(into: &out, sortingKeys: sortingKeys)
            }
            out.append("]")
        case .object(let members):
            out.append("{")
            for (i, position) in Self.positions(members, sorting: sortingKeys).enumerated() {
                if i > 0 { out.append(",") }
                JSONString.append(members.keys[position], to: &out)
                out.append(":")
                members.values[position].writeCompact(into: &out, sortingKeys: sortingKeys)
            }
            out.append("}")
        }
    }

    /// Shortest round-trip text; integral values below 10^15 as digits and `.0` (what `%.1f` gives);
    /// non-finite values become null.
    static func format(_ d: Double) -> String {
        guard d.isFinite else { return "null" }
        if d == d.rounded(), abs(d) < 1e15 { return (d.sign == .minus ? "-" : "") + String(Int(abs(d))) + ".0" }
        return d.description
    }
}
