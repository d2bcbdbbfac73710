import Foundation
import Files
import JSONText
import Orchestration

/// `metrics.jsonl` kept in the resume folder while training, so a resumed run continues the same
/// log; lines past the restored checkpoint's step are dropped.
final class MetricsLog {
    let url: URL
    private var lines: [String]

    init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent("metrics.jsonl")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        lines = text.split(separator: "\n").map(String.init)
    }

    func append(_ value: JSONValue) { lines.append(value.compact()) }

    func truncate(after step: Int) {
        lines = lines.filter { line in
            guard let v = try? JSONValue.parse(line), let s = v["step"]?.intValue else { return false }
            return s <= step
        }
    }

    func flush() throws {
        try AtomicFile.write(Data((lines.map { $0 + "\n" }.joined()).utf8), to: url.path)
    }
}
