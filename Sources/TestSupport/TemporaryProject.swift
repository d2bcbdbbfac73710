public import Foundation

/// A throw-away project root (`<tmp>/lathe-test-XXXX/` with `artifacts/` and `pipelines/`), removed on deinit.
public final class TemporaryProject: @unchecked Sendable {
    public let root: URL

    public init() {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("lathe-test-\(UUID().uuidString.prefix(12))")
        try! FileManager.default.createDirectory(at: root.appendingPathComponent("artifacts"), withIntermediateDirectories: true)
        try! FileManager.default.createDirectory(at: root.appendingPathComponent("pipelines/data"), withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    public var store: URL { root.appendingPathComponent("artifacts") }

    /// Writes a UTF-8 file at a root-relative path, creating folders.
    @discardableResult
    public func write(_ relativePath: String, _ text: String) -> URL {
        let url = root.appendingPathComponent(relativePath)
        try! FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! Data(text.utf8).write(to: url)
        return url
    }

    public func read(_ relativePath: String) -> String? {
        try? String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
    }
}
