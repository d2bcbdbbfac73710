import Foundation
import Orchestration
import RemoteHTTP
import Testing

/// The `/ac/<key>` parser (untrusted bytes) and the transport's configuration checks; no server needed.
struct RemoteEntryTests {
    static let key = String(repeating: "ab", count: 32)
    static let sha = String(repeating: "0f", count: 32)

    /// A manifest for `key` with one output, its digest computed like the store computes it.
    static func entry(key: String = key, name: String = "result.txt", sha: String = sha, digest: String? = nil) -> String {
        let d = digest ?? ArtifactStore.digest([(name, sha)])
        return """
            {"schema": "lathe.manifest/1", "key": "\(key)", "kind": "tokenize", "stage": "tok", "params": {}, "inputs": {},
             "upstream": {}, "outputs": {"digest": "\(d)", "files": {"\(name)": {"sha256": "\(sha)", "size": 3}}},
             "metrics": {}, "cost": {}}
            """
    }

    @Test("a well-formed entry parses to its record")
    func parses() throws {
        let record = try RemoteEntry.parse(Data(RemoteEntryTests.entry().utf8), key: RemoteEntryTests.key)
        #expect(record.outputs["result.txt"] == .init(sha256: RemoteEntryTests.sha, size: 3))
    }

    @Test("entries that lie are refused, each with its reason", arguments: [
        (entry(key: String(repeating: "cd", count: 32)), "names key"),
        (entry(name: "../../etc/passwd"), "not a relative path"),
        (entry(name: "a//b"), "not a relative path"),
        (entry(name: "./a"), "not a relative path"),
        (entry(sha: "XYZ"), "malformed sha256"),
        (entry(digest: String(repeating: "00", count: 32)), "output digest does not match"),
        ("{\"key\": 1}", "field 'key'"),
        ("not json", "not JSON"),
        ("", "not JSON"),
    ])
    func refuses(_ text: String, _ reason: String) {
        do {
            _ = try RemoteEntry.parse(Data(text.utf8), key: RemoteEntryTests.key)
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.description.contains(reason), "\(error.description)")
            #expect(error.description.contains("ac/\(RemoteEntryTests.key)"))
        }
    }

    @Test("an oversized entry is refused before parsing")
    func oversized() {
        #expect(throws: OrchestrationError.self) {
            try RemoteEntry.parse(Data(count: RemoteEntry.maximumBytes + 1), key: RemoteEntryTests.key)
        }
    }

    @Test("credentials in the URL are refused; they belong in the environment")
    func credentialsInURL() {
        do {
            _ = try HTTPCacheTransport(url: "http://alice:secret@127.0.0.1:1/lathe")
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("LATHE_REMOTE_TOKEN"))
            #expect(!error.description.contains("secret"))
        }
    }

    @Test("malformed URLs, a user without a password and a bad timeout are configuration errors")
    func configuration() {
        #expect(throws: OrchestrationError.self) { try HTTPCacheTransport(url: "ftp://host/x") }
        #expect(throws: OrchestrationError.self) { try HTTPCacheTransport(url: "not a url") }
        #expect(throws: OrchestrationError.self) { try HTTPCacheTransport(url: "http://h/x", environment: ["LATHE_REMOTE_USER": "u"]) }
        #expect(throws: OrchestrationError.self) { try HTTPCacheTransport(url: "http://h/x", environment: ["LATHE_REMOTE_TIMEOUT": "-1"]) }
    }

    @Test("a server that is down is reported as unreachable with the URL, never the token")
    func unreachable() throws {
        let transport = try HTTPCacheTransport(url: "http://127.0.0.1:9/lathe", environment: ["LATHE_REMOTE_TOKEN": "s3cr3t-token"], attempts: 2)
        do {
            _ = try transport.exists("cas/" + RemoteEntryTests.sha)
            Issue.record("port 9 answered")
        } catch {
            #expect(error.description.contains("http://127.0.0.1:9/lathe is unreachable"))
            #expect(error.description.contains("after 2 attempts"))
            #expect(!error.description.contains("s3cr3t"))
        }
    }
}
