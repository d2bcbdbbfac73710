import Foundation
import Orchestration

/// One JSON object printed on one line, keys in insertion order (stable, diff-friendly output).
struct PipelineJSONLine {
    private var parts: [String] = []

    init(_ op: String) { add("bench", "pipelines"); add("op", op) }

    mutating func add(_ key: String, _ value: String) { parts.append("\(quote(key)):\(quote(value))") }
    mutating func add(_ key: String, _ value: Int) { parts.append("\(quote(key)):\(value)") }
    mutating func add(_ key: String, _ value: Bool) { parts.append("\(quote(key)):\(value)") }
    /// Rounded to `digits` decimals; NaN and infinities become null.
    mutating func add(_ key: String, _ value: Double, digits: Int = 4) { parts.append("\(quote(key)):\(number(value, digits))") }
    mutating func add(_ key: String, _ values: [Double], digits: Int = 4) {
        parts.append("\(quote(key)):[" + values.map { number($0, digits) }.joined(separator: ",") + "]")
    }
    mutating func add(_ key: String, _ values: [Int32]) {
        parts.append("\(quote(key)):[" + values.map(String.init).joined(separator: ",") + "]")
    }
    mutating func add(_ key: String, _ values: [String]) {
        parts.append("\(quote(key)):[" + values.map(quote).joined(separator: ",") + "]")
    }

    var text: String { "{" + parts.joined(separator: ",") + "}" }

    func emit() {
        // Unbuffered, so a driver script sees each result as soon as it exists.
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    private func number(_ v: Double, _ digits: Int) -> String {
        guard v.isFinite else { return "null" }
        return String(format: "%.\(digits)f", v)
    }

    /// JSON string escaping shared with lock files and manifests.
    private func quote(_ s: String) -> String { JSONValue.string(s).compact() }
}
