import JSONText
import Foundation

/// The cache key of a stage: SHA-256 over everything that can change its result.
///
/// Hashed text, one field per line: the version salt, the kind, every param (`key=value`, sorted,
/// stage references replaced by the upstream's output digest), every input (`path=sha256`,
/// sorted). The stage's own name, key order, comments and anchors cannot reach it.
public enum StageKey {
    /// Bump when Lathe's code changes what any stage produces or how keys are built, so old store
    /// entries are never mistaken for new results.
    public static let versionSalt = "lathe-key-v1"

    /// - Parameters:
    ///   - spec: the stage.
    ///   - inputHashes: SHA-256 per entry of `spec.inputs`.
    ///   - upstreamDigests: output digest per upstream stage name.
    ///   - salt: the version salt (overridable in tests).
    /// - Returns: 64 hex characters.
    public static func compute(
        spec: StageSpec,
        inputHashes: [String: String],
        upstreamDigests: [String: String],
        salt: String = versionSalt
    ) -> String {
        var text = "salt=\(salt)\nkind=\(spec.kind)\n"
        if spec.revision != 1 { text += "revision=\(spec.revision)\n" }
        for key in spec.params.keys.sorted(by: JSONObject.utf8Order) {
            var value = spec.params[key]!
            if spec.referenceKeys.contains(key), let digest = upstreamDigests[value] {
                value = "@output:" + digest
            }
            text += "param \(escape(key))=\(escape(value))\n"
        }
        for path in spec.inputs {
            text += "input \(escape(path))=\(inputHashes[path] ?? "missing")\n"
        }
        // Upstreams reached only through references are covered above; any other upstream
        // (for example one read by convention) still enters by digest, name-free and sorted.
        let referenced = Set(spec.referenceKeys.compactMap { spec.params[$0] })
        let unreferenced = spec.upstream.filter { !referenced.contains($0) }.map { upstreamDigests[$0] ?? "pending" }
        for digest in unreferenced.sorted() { text += "upstream=\(digest)\n" }
        return ContentHasher.sha256Hex(text)
    }

    /// Newlines and `=` inside names or values must not let two different param sets hash alike.
    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "\n" || $0 == "=" || $0 == "\\" }) else { return s }
        return s.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\n", with: "\\n")
            .replacingOccurrences(of: "=", with: "\\=")
    }
}
