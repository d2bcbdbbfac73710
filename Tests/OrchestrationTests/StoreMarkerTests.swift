import Foundation
import Orchestration
import Testing
import TestSupport

/// Issue 23: a store is recognisable by its marker, a run refuses to write into a folder that is not
/// one, and gc deletes only names Lathe created.
@Suite struct StoreMarkerTests {
    @Test("the first run marks a new store, and a folder that is not a store is refused before anything is written")
    func runMarksANewStoreAndRefusesAStranger() throws {
        let h = Harness()
        try h.run()
        #expect(StoreMarker.isMarked(h.store.root))
        // A project folder used as the store by mistake.
        let p = TemporaryProject()
        p.write("notes/todo.txt", "keep me\n")
        let stranger = ArtifactStore(root: p.root)
        #expect(throws: OrchestrationError.self) { try StoreMarker.adopt(stranger.root) }
        do { try StoreMarker.adopt(stranger.root) } catch {
            #expect(error.description.contains("is not a Lathe store") && error.description.contains("'artifacts'"))
        }
        #expect(!StoreMarker.isMarked(p.root))
    }

    @Test("a run killed while writing the marker leaves a folder the next run still takes as a new store")
    func anInterruptedMarkerWriteIsCleanedUp() throws {
        let p = TemporaryProject()
        let root = p.root.appendingPathComponent("artifacts")
        // What AtomicFile leaves when the process dies between creating its temporary file and the rename.
        p.write("artifacts/.lock", "")
        p.write("artifacts/.\(StoreMarker.fileName).tmp-7304-1234567890", "This folder is a Lathe")
        try StoreMarker.adopt(root)
        #expect(StoreMarker.isMarked(root))
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).sorted()
        #expect(names == [".lathe-store", ".lock"])
    }

    @Test("a store made by an older Lathe (entries in key format, no marker) is marked once by the next run")
    func anOlderStoreIsMigrated() throws {
        let h = Harness()
        try h.run()
        try FileManager.default.removeItem(at: h.store.root.appendingPathComponent(StoreMarker.fileName))
        #expect(throws: OrchestrationError.self) { try StoreMarker.requireForDeleting(h.store.root) }
        let summary = try h.run()
        #expect(summary.upToDate.count == 6)
        #expect(StoreMarker.isMarked(h.store.root))
        try StoreMarker.requireForDeleting(h.store.root)
    }

    @Test("gc's cleaners delete only folder names Lathe creates: a user's tmp/work-notes and datasets/own survive")
    func cleanersDeleteOnlyLatheNames() throws {
        let h = Harness()
        try h.run()
        let root = h.store.root
        let fm = FileManager.default
        let key = String(repeating: "ab", count: 32)
        for dir in ["tmp/work-notes", "tmp/work-123-ABCDEF12", "tmp/gc-\(key)-42", "datasets/own", "datasets/ab/\(key)", "datasets/tmp/\(key)-\(UUID().uuidString)", "datasets/ab/notes"] {
            try fm.createDirectory(at: root.appendingPathComponent(dir), withIntermediateDirectories: true)
            try Data("x".utf8).write(to: root.appendingPathComponent(dir + "/f.txt"))
        }
        #expect(h.store.datasetCacheEntries().count == 2)
        h.store.removeStaleWork()
        try h.store.removeDatasetCache()
        for kept in ["tmp/work-notes/f.txt", "datasets/own/f.txt", "datasets/ab/notes/f.txt"] {
            #expect(fm.fileExists(atPath: root.appendingPathComponent(kept).path), "\(kept) was deleted")
        }
        for gone in ["tmp/work-123-ABCDEF12", "tmp/gc-\(key)-42", "datasets/ab/\(key)"] {
            #expect(!fm.fileExists(atPath: root.appendingPathComponent(gone).path), "\(gone) was kept")
        }
    }

    @Test("a deleted manifest.sha256 is damage: an edited manifest is never trusted, and the stage is recomputed")
    func missingManifestChecksumIsDamage() throws {
        let h = Harness()
        try h.run()
        let key = try LockFile.read(from: h.lockURL, recipe: "demo").stages["base"]!.key
        let manifest = h.store.entryDirectory(key).appendingPathComponent("manifest.json")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try Data(text.replacingOccurrences(of: "\"score\"", with: "\"score\": 1e9, \"fake\"").utf8).write(to: manifest)
        try FileManager.default.removeItem(atPath: h.store.manifestChecksumPath(key))
        guard case .corrupt(let why) = h.store.state(of: key) else { Issue.record("a manifest without its checksum was trusted"); return }
        #expect(why.contains("manifest.sha256 is missing"))
        #expect(h.store.deepCheck(key) != nil)
        let summary = try h.run()
        #expect(summary.executed.contains("base"))
        let lock = try LockFile.read(from: h.lockURL, recipe: "demo")
        #expect(lock.stages["base"]!.metrics["fake"] == nil)
        #expect(h.store.deepCheck(key) == nil)
    }

    @Test("marking an older store writes the checksums its entries lack, once; the run then finds everything up to date")
    func olderStoreEntriesGetTheirChecksumsOnce() throws {
        let h = Harness()
        try h.run()
        try FileManager.default.removeItem(at: h.store.root.appendingPathComponent(StoreMarker.fileName))
        for key in h.store.allKeys() { try FileManager.default.removeItem(atPath: h.store.manifestChecksumPath(key)) }
        let summary = try h.run()
        #expect(summary.upToDate.count == 6 && summary.executed.isEmpty)
        for key in h.store.allKeys() { #expect(h.store.deepCheck(key) == nil) }
    }
}
