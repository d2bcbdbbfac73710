/// Flattens checked params into the `[dotted key: canonical text]` form used for cache keys and
/// "learning_rate 0.0003 → 0.0001" reasons.
///
/// Canonical text: integers as integers, numbers via Swift's shortest round-trip `Double.description`
/// (so `1e-5`, `1.0e-5` and `0.00001` all read `1e-05`), booleans `true`/`false`, strings as-is. Keys
/// come from the tables, so spelling (aliases), key order, comments and anchors cannot change the result.
enum CanonicalParams {
    /// Keys that never change what a stage produces.
    /// (`threads` and `ranks` say how the work is split, not what it computes.)
    static let excluded: Set<String> = ["threads", "ranks"]

    /// Keys left out while false: their false is how every stage ran before they existed, so recipes
    /// that do not set them keep their keys (and their stored results).
    static let omittedWhenFalse: Set<String> = ["deterministic"]

    static func flatten(_ fields: [String: CheckedValue]) -> [String: String] {
        var out: [String: String] = [:]
        out.reserveCapacity(fields.count * 2)
        // With `deterministic: true`, `threads` fixes the data-parallel split, so it changes the bits.
        let skipped = fields["deterministic"] == .bool(true) ? excluded.subtracting(["threads"]) : excluded
        for (key, value) in fields where !skipped.contains(key) {
            if omittedWhenFalse.contains(key), value == .bool(false) { continue }
            add(value, at: key, topKey: key, into: &out)
        }
        return out
    }

    private static func add(_ value: CheckedValue, at path: String, topKey: String, into out: inout [String: String]) {
        switch value {
        case .int(let number): out[path] = String(number)
        case .number(let number): out[path] = number.description
        case .bool(let flag): out[path] = flag ? "true" : "false"
        case .string(let text): out[path] = text
        case .ref(.scratch): out[path] = "scratch"
        case .ref(.path(let relative)): out[path] = relative
        case .ref(.stage(let name)): out[path] = topKey == "models" ? name : "@upstream"
        case .list(let items):
            if items.isEmpty { out[path] = "[]" }
            for (index, item) in items.enumerated() { add(item, at: "\(path)[\(index)]", topKey: topKey, into: &out) }
        case .object(let fields):
            if fields.isEmpty { out[path] = "{}" }
            for (key, item) in fields { add(item, at: "\(path).\(key)", topKey: topKey, into: &out) }
        }
    }
}
