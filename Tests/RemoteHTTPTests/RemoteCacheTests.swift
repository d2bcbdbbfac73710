import Foundation
import Orchestration
import RemoteHTTP
import Testing
import TestSupport

/// The remote cache against a real nginx (WebDAV PUT) on a loopback port.
@Suite(.serialized) struct RemoteCacheTests {
    @Test("a second store restores everything the first one computed, running nothing")
    func secondMachineRestores() throws {
        let server = try NginxServer()
        let a = Machine(), b = Machine()
        let first = try a.run(remote: try remote(server))
        #expect(first.executed.count == 3 && a.runner.totalExecutions == 3)
        #expect(a.notes.filter { $0.hasPrefix("remote cache: uploaded") }.count == 3)
        let second = try b.run(remote: try remote(server))
        #expect(b.runner.totalExecutions == 0)
        #expect(second.restored.sorted() == ["base", "lora", "tok"])
        #expect(second.warnings.isEmpty, "\(second.warnings)")
        #expect(try b.keys() == a.keys())
        for key in try b.keys().values {
            #expect(b.store.deepCheck(key) == nil)
            let mine = try Data(contentsOf: b.store.outputDirectory(key).appendingPathComponent("result.txt"))
            let theirs = try Data(contentsOf: a.store.outputDirectory(key).appendingPathComponent("result.txt"))
            #expect(mine == theirs)
        }
        // The entry is the manifest's bytes, and it arrived last: every blob it names is on the server.
        for key in try a.keys().values {
            let entry = try Data(contentsOf: server.file("ac/\(key)"))
            #expect(entry == (try Data(contentsOf: a.store.entryDirectory(key).appendingPathComponent("manifest.json"))))
        }
    }

    @Test("a changed input on the second machine is not restored: its key differs, so the stage runs")
    func changedInputRuns() throws {
        let server = try NginxServer()
        _ = try Machine().run(remote: try remote(server))
        let b = Machine(text: "other text\n")
        let summary = try b.run(remote: try remote(server))
        #expect(summary.executed.sorted() == ["base", "lora", "tok"])
        #expect(summary.restored.isEmpty)
    }

    @Test("a truncated blob on the server is reported and never enters the store; the stage runs locally")
    func truncatedBlob() throws {
        try damagedBlob { file in
            let bytes = try Data(contentsOf: file)
            try bytes.prefix(bytes.count / 2).write(to: file)
        }
    }

    @Test("an altered blob of the right size is caught by its SHA-256")
    func alteredBlob() throws {
        try damagedBlob { file in
            var bytes = try Data(contentsOf: file)
            bytes[0] ^= 0x20
            try bytes.write(to: file)
        }
    }

    /// Damages the blob of `tok`'s result.txt on the server, then runs a second machine.
    func damagedBlob(_ damage: (URL) throws -> Void) throws {
        let server = try NginxServer()
        let a = Machine()
        _ = try a.run(remote: try remote(server))
        let key = try a.keys()["tok"]!
        guard case .present(let record) = a.store.state(of: key) else { Issue.record("no entry"); return }
        let sha = record.outputs["result.txt"]!.sha256
        try damage(server.file("cas/\(sha)"))

        let b = Machine()
        let cache = try remote(server)
        guard case .unusable(let why) = cache.restore(key, into: b.store) else { Issue.record("expected unusable"); return }
        #expect(why.contains("cas/\(sha)") && why.contains("corrupt") && why.contains("nothing was restored"), "\(why)")
        #expect(b.store.state(of: key) == .absent)
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: b.store.tmpDirectory.path)) ?? []).isEmpty)

        let summary = try b.run(remote: cache)
        #expect(b.runner.executions(of: "tok") == 1)
        #expect(summary.executed.contains("tok"))
        #expect(summary.warnings.contains { $0.contains("cas/\(sha)") })
        #expect(b.store.deepCheck(key) == nil)
        // b's run sent its own copy of the damaged blob (HEAD alone would have kept the damaged one),
        // so a third machine restores everything.
        let c = Machine()
        let third = try c.run(remote: try remote(server))
        #expect(c.runner.totalExecutions == 0 && third.restored.count == 3, "\(third.warnings)")
    }

    @Test("an entry naming a blob the server lacks is partial: reported, nothing stored")
    func missingBlob() throws {
        let server = try NginxServer()
        let a = Machine()
        _ = try a.run(remote: try remote(server))
        let key = try a.keys()["base"]!
        guard case .present(let record) = a.store.state(of: key) else { Issue.record("no entry"); return }
        try FileManager.default.removeItem(at: server.file("cas/\(record.outputs["result.txt"]!.sha256)"))
        let b = Machine()
        _ = try b.run(remote: nil)  // tok locally; base's key is the same as a's
        guard case .unusable(let why) = try remote(server).restore(key, into: b.store) else { Issue.record("expected unusable"); return }
        #expect(why.contains("is missing from the remote"))
        #expect(b.store.state(of: key) != .absent)  // b computed it itself; the remote's copy did not replace it
    }

    @Test("the server stopped mid-upload leaves no entry; the run finishes locally, and a later push completes it")
    func serverStoppedMidUpload() throws {
        let server = try NginxServer()
        let a = Machine()
        _ = try a.run(remote: nil)
        let key = try a.keys()["lora"]!
        let stopping = StopAfterFirstBlob(inner: try HTTPCacheTransport(url: server.url, attempts: 2), server: server)
        let cache = RemoteCache(transport: stopping)
        #expect(throws: OrchestrationError.self) { try cache.upload(key, from: a.store) }
        #expect(stopping.blobsUploaded == 1)
        #expect(!FileManager.default.fileExists(atPath: server.file("ac/\(key)").path))
        // The cache turned itself off: later calls fail at once instead of waiting for timeouts.
        #expect(cache.disabled != nil)
        guard case .unavailable = cache.restore(key, into: Machine().store) else { Issue.record("expected unavailable"); return }

        // A run while the server is down finishes locally, with one warning.
        let b = Machine()
        let started = Date()
        let down = try b.run(remote: try remote(server))
        #expect(down.executed.count == 3)
        #expect(down.warnings.count == 1 && down.warnings[0].contains("unreachable"), "\(down.warnings)")
        #expect(Date().timeIntervalSince(started) < 20)

        try server.start()
        let c = Machine()
        guard case .absent = try remote(server).restore(key, into: c.store) else { Issue.record("a half-uploaded key must read as absent"); return }
        let again = try remote(server).upload(key, from: a.store)
        #expect(again.blobsPresent == 1 && again.blobsSent == 1 && again.entrySent)
        for other in try a.keys().values where other != key { _ = try remote(server).upload(other, from: a.store) }
        let restored = try c.run(remote: try remote(server))
        #expect(c.runner.totalExecutions == 0 && restored.restored.count == 3)
    }

    @Test("two stores pushing the same keys at once leave one intact copy")
    func concurrentPushes() throws {
        let server = try NginxServer()
        let a = Machine(), b = Machine()
        _ = try a.run(remote: nil)
        _ = try b.run(remote: nil)
        let keys = try a.keys()
        #expect(try b.keys() == keys)
        let errors = LockedList()
        let group = DispatchGroup()
        for machine in [a, b] {
            for _ in 0..<2 {
                DispatchQueue.global().async(group: group) {
                    do {
                        let cache = try remote(server)
                        for key in keys.values.sorted() { _ = try cache.upload(key, from: machine.store) }
                    } catch { errors.append("\(error)") }
                }
            }
        }
        group.wait()
        #expect(errors.items.isEmpty, "\(errors.items)")
        let c = Machine()
        let summary = try c.run(remote: try remote(server))
        #expect(c.runner.totalExecutions == 0 && summary.restored.count == 3, "\(summary.warnings)")
        for key in keys.values { #expect(c.store.deepCheck(key) == nil) }
    }

    @Test("a forced stage is not restored from the remote")
    func forcedRuns() throws {
        let server = try NginxServer()
        _ = try Machine().run(remote: try remote(server))
        let b = Machine()
        let summary = try b.run(remote: try remote(server), forceAll: true)
        #expect(summary.executed.count == 3 && b.runner.totalExecutions == 3)
    }
}

/// Uploads through `inner` and stops the server right after the first blob arrived.
final class StopAfterFirstBlob: CacheTransport, @unchecked Sendable {
    let inner: HTTPCacheTransport
    let server: NginxServer
    private(set) var blobsUploaded = 0
    init(inner: HTTPCacheTransport, server: NginxServer) { self.inner = inner; self.server = server }
    var displayURL: String { inner.displayURL }
    func exists(_ path: String) throws(OrchestrationError) -> Bool { try inner.exists(path) }
    func download(_ path: String, to file: URL) throws(OrchestrationError) -> Bool { try inner.download(path, to: file) }
    func upload(_ path: String, fromFile file: URL) throws(OrchestrationError) {
        try inner.upload(path, fromFile: file)
        if path.hasPrefix("cas/") {
            blobsUploaded += 1
            if blobsUploaded == 1 { server.stop() }
        }
    }
}

final class LockedList: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ s: String) { lock.withLock { stored.append(s) } }
    var items: [String] { lock.withLock { stored } }
}
