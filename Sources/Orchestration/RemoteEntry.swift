import JSONText
public import Foundation

/// The action-cache entry of Bazel's HTTP cache protocol as Lathe uses it: `GET /ac/<key>` answers the
/// bytes of the entry's `manifest.json`, whose outputs name the blobs at `/cas/<sha256>`.
///
/// The bytes come from a server, so they are untrusted: ``parse(_:key:)`` accepts only a manifest for
/// exactly `key` whose every output is a safe relative path with a well-formed SHA-256 and size, and whose
/// recorded output digest is the one those outputs give. It never touches the disk (FuzzRemoteEntry).
public enum RemoteEntry {
    /// Entries larger than this are refused before parsing (a manifest of thousands of outputs is ~1 MiB).
    public static let maximumBytes = 16 << 20

    /// - Parameters:
    ///   - bytes: the body of `/ac/<key>`.
    ///   - key: the stage key that was asked for (64 hex digits).
    /// - Returns: the record the entry describes.
    /// - Throws: ``OrchestrationError/malformedRecord(path:reason:)`` naming `ac/<key>` and what is wrong.
    /// - Complexity: O(bytes + outputs · log outputs).
    public static func parse(_ bytes: Data, key: String) throws(OrchestrationError) -> StageRecord {
        let path = "ac/\(key)"
        func bad(_ why: String) -> OrchestrationError { .malformedRecord(path: path, reason: why) }
        guard bytes.count <= maximumBytes else { throw bad("\(bytes.count) bytes, more than the \(maximumBytes) an entry may have") }
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw bad("not JSON (\(error))") }
        let record = try StageRecord(json: json, path: path)
        guard record.key == key else { throw bad("the entry names key \(record.key)") }
        var pairs: [(path: String, sha256: String)] = []
        for (name, file) in record.outputs {
            guard ArtifactStore.isKey(file.sha256) else { throw bad("output '\(name)' has a malformed sha256 '\(file.sha256)'") }
            guard !name.isEmpty, !name.hasSuffix("/"), !name.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }),
                  !name.utf8.contains(0) else {
                throw bad("output '\(name)' is not a relative path inside the entry")
            }
            pairs.append((name, file.sha256))
        }
        guard ArtifactStore.digest(pairs) == record.outputDigest else {
            throw bad("its output digest does not match its outputs")
        }
        return record
    }
}
