import JSONText
import Foundation
import Orchestration
import Testing
import TestSupport

@Suite struct StoreTests {
    func packageRoot() -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    @Test func everyManifestAndLockFileValidatesAgainstTheSchemas() throws {
        let h = Harness()
        try h.run()
        let lockSchema = SchemaValidator(schema: RecordSchemas.lock())
        let manifestSchema = SchemaValidator(schema: RecordSchemas.manifest())
        #expect(lockSchema.validate(try JSONValue.parse(Data(contentsOf: h.lockURL))) == [])
        let keys = h.store.allKeys()
        #expect(keys.count == 6)
        for key in keys {
            let manifest = h.store.entryDirectory(key).appendingPathComponent("manifest.json")
            #expect(manifestSchema.validate(try JSONValue.parse(Data(contentsOf: manifest))) == [])
        }
        // The validator can fail: a broken record is caught.
        #expect(!lockSchema.validate(.object(["schema": .string("lathe.lock/1"), "recipe": .int(3)])).isEmpty)
    }

    @Test func schemaFilesInTheRepositoryMatchTheSwiftTypes() throws {
        for (file, schema) in [("lock", RecordSchemas.lock()), ("manifest", RecordSchemas.manifest())] {
            let url = packageRoot().appendingPathComponent("schemas/\(file).schema.json")
            let text = try String(contentsOf: url, encoding: .utf8)
            #expect(text == schema.rendered(), "schemas/\(file).schema.json is stale: run `swift run lathe schema \(file) > schemas/\(file).schema.json`")
        }
    }

    @Test func flippedByteIsFoundByDeepCheckAndNeverFeedsADownstreamStage() throws {
        let h = Harness()
        try h.run()
        let lock = try LockFile.read(from: h.lockURL, recipe: "demo")
        let baseKey = lock.stages["base"]!.key
        let file = h.store.outputDirectory(baseKey).appendingPathComponent("result.txt")
        var bytes = try Data(contentsOf: file)
        bytes[0] ^= 0x20
        try bytes.write(to: file)
        #expect(h.store.deepCheck(baseKey) != nil)
        #expect(h.store.deepCheck(lock.stages["tok"]!.key) == nil)
        // A downstream stage that needs base's output refuses it, quarantines the entry, and the
        // same run recomputes base and then runs the stage.
        h.set("clinic", "learning_rate", "0.5")
        let first = try h.run()
        #expect(first.failed.isEmpty)
        #expect(Set(first.executed) == ["base", "clinic", "report"])
        #expect(h.store.deepCheck(baseKey) == nil)
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: h.store.quarantineDirectory.path)
        #expect(quarantined.contains { $0.hasPrefix(baseKey) && $0.hasSuffix(".reason.txt") })
    }

    @Test func truncatedOutputIsSeenWithoutReadingIt() throws {
        let h = Harness()
        try h.run()
        let key = try LockFile.read(from: h.lockURL, recipe: "demo").stages["sibling"]!.key
        try Data().write(to: h.store.outputDirectory(key).appendingPathComponent("result.txt"))
        guard case .corrupt(let why) = h.store.state(of: key) else { Issue.record("not detected"); return }
        #expect(why.contains("result.txt has 0 bytes"))
        let summary = try h.run()
        #expect(summary.executed == ["sibling"])
    }

    @Test func damagedManifestIsCorruptNotTrusted() throws {
        let h = Harness()
        try h.run()
        let key = try LockFile.read(from: h.lockURL, recipe: "demo").stages["tok"]!.key
        try Data("{\"key\": 1".utf8).write(to: h.store.entryDirectory(key).appendingPathComponent("manifest.json"))
        guard case .corrupt = h.store.state(of: key) else { Issue.record("not detected"); return }
    }

    @Test func damagedLockFileIsReportedAndRewrittenFromTheStore() throws {
        let h = Harness()
        try h.run()
        let good = try Data(contentsOf: h.lockURL)
        try Data("{ nope".utf8).write(to: h.lockURL)
        let summary = try h.run()
        #expect(summary.executed.isEmpty)
        #expect(summary.warnings.count == 1)
        #expect(summary.warnings.first?.contains("demo.lock is damaged (invalid JSON at byte 2") == true)
        #expect(try Data(contentsOf: h.lockURL) == good)
        // Reading it directly (status, gc) is still a clear error naming the file.
        try Data("{ nope".utf8).write(to: h.lockURL)
        #expect(throws: OrchestrationError.self) { try LockFile.read(from: h.lockURL, recipe: "demo") }
    }

    @Test func damagedHashMemoIsDiscardedAndEveryInputRehashed() throws {
        let project = TemporaryProject()
        let file = project.write("pipelines/data/a.txt", "one")
        let cacheURL = project.store.appendingPathComponent("hash-cache.tsv")
        let first = HashCache(fileURL: cacheURL)
        let h1 = try first.hash(path: file.path)
        try first.saveIfNeeded()
        // A plausible but wrong hash (one hex digit changed) must not be believed.
        var text = try String(contentsOf: cacheURL, encoding: .utf8)
        let digit = text.range(of: h1)!.lowerBound
        text.replaceSubrange(digit...digit, with: text[digit] == "7" ? "8" : "7")
        try Data(text.utf8).write(to: cacheURL)
        let second = HashCache(fileURL: cacheURL)
        #expect(second.discarded?.contains("hash-cache.tsv does not match its checksum") == true)
        #expect(try second.hash(path: file.path) == h1)
        #expect(second.filesHashed == 1)
    }

    @Test func hashCacheSkipsUnchangedFilesAndRehashesChangedOnes() throws {
        let project = TemporaryProject()
        let file = project.write("pipelines/data/a.txt", "one")
        let cacheURL = project.store.appendingPathComponent("hash-cache.tsv")
        let first = HashCache(fileURL: cacheURL)
        let h1 = try first.hash(path: file.path)
        try first.saveIfNeeded()
        #expect(first.filesHashed == 1)
        let second = HashCache(fileURL: cacheURL)
        #expect(try second.hash(path: file.path) == h1)
        #expect(second.filesHashed == 0)
        project.write("pipelines/data/a.txt", "two")
        #expect(try second.hash(path: file.path) != h1)
        #expect(second.filesHashed == 1)
        #expect(h1 == "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed")  // sha256("one")
    }

    @Test func directoryHashDependsOnNamesAndContentsNotLocation() throws {
        let p = TemporaryProject()
        p.write("a/x.txt", "1"); p.write("a/sub/y.txt", "2")
        p.write("b/x.txt", "1"); p.write("b/sub/y.txt", "2")
        p.write("c/x.txt", "1"); p.write("c/sub/z.txt", "2")
        let cache = HashCache(fileURL: p.store.appendingPathComponent("h.tsv"))
        let a = try cache.hash(path: p.root.appendingPathComponent("a").path)
        #expect(a == (try cache.hash(path: p.root.appendingPathComponent("b").path)))
        #expect(a != (try cache.hash(path: p.root.appendingPathComponent("c").path)))
    }

    @Test func storeLockMakesASecondHolderWaitOrFail() throws {
        let p = TemporaryProject()
        let held = try StoreLock(store: p.store, wait: false, onWait: { _ in })
        // fcntl locks are per process, so contention is tested across processes in CLITests;
        // within one process a second lock on the same file succeeds and must not deadlock.
        _ = try StoreLock(store: p.store, wait: false, onWait: { _ in })
        _ = held
    }
}

@Suite struct JSONValueTests {
    @Test func renderingIsSortedStableAndRoundTrips() throws {
        let v: JSONValue = .object(["b": .int(1), "a": .array([.double(0.5), .bool(true), .null]), "c": .string("é\"\n")])
        let text = v.rendered()
        #expect(text == "{\n  \"a\": [\n    0.5,\n    true,\n    null\n  ],\n  \"b\": 1,\n  \"c\": \"é\\\"\\n\"\n}\n")
        #expect(try JSONValue.parse(text) == v)
    }

    @Test(arguments: ["{", "[1,]", "{\"a\":1,\"a\":2}", "\"\\ud800\"", "01x", String(repeating: "[", count: 10_000)])
    func malformedJSONIsRejectedNotCrashed(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }
}
