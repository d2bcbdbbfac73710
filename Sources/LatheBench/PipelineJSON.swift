import Foundation
import JSONText

/// One benchmark result printed as a JSON object on one line, keys in insertion order (stable,
/// diff-friendly output), written by JSONText's one writer.
struct PipelineJSONLine {
    private var members: JSONObject = [:]

    init(_ op: String) { add("bench", "pipelines"); add("op", op) }

    mutating func add(_ key: String, _ value: String) { members[key] = .string(value) }
    mutating func add(_ key: String, _ value: Int) { members[key] = .int(value) }
    mutating func add(_ key: String, _ value: Bool) { members[key] = .bool(value) }
    /// Rounded to `digits` decimals; NaN and infinities become null.
    mutating func add(_ key: String, _ value: Double, digits: Int = 4) { members[key] = Self.rounded(value, digits) }
    mutating func add(_ key: String, _ values: [Double], digits: Int = 4) {
        members[key] = .array(values.map { Self.rounded($0, digits) })
    }
    mutating func add(_ key: String, _ values: [Int32]) { members[key] = .array(values.map { .int(Int($0)) }) }
    mutating func add(_ key: String, _ values: [String]) { members[key] = .array(values.map(JSONValue.string)) }

    var text: String { JSONValue.object(members).compact(sortingKeys: false) }

    func emit() {
        // Unbuffered, so a driver script sees each result as soon as it exists.
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// `value` rounded to `digits` decimals (written in its shortest form, so 1.5 rather than 1.5000).
    private static func rounded(_ value: Double, _ digits: Int) -> JSONValue {
        guard value.isFinite else { return .null }
        let scale = pow(10.0, Double(digits))
        return .double((value * scale).rounded() / scale)
    }
}
