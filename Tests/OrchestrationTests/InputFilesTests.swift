import Foundation
import Orchestration
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Issue 23: every input file is resolved and checked against the project root, non-regular files
/// are refused before they are opened, and an input edited during a run fails the stage that read it.
@Suite struct InputFilesTests {
    /// A file outside every test project, with content a test can look for.
    func outsideFile(_ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-outside-\(UUID().uuidString.prefix(8)).txt")
        try Data(text.utf8).write(to: url)
        return url
    }

    @Test("a symbolic link inside an input folder that leads out of the project is refused, naming the link")
    func symlinkOutOfAFolderIsRefused() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/corpus/a.txt", "inside\n")
        let secret = try outsideFile("SECRET-OUTSIDE\n")
        defer { try? FileManager.default.removeItem(at: secret) }
        let link = p.root.appendingPathComponent("pipelines/data/corpus/b.txt")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: secret.path)
        let cache = HashCache(fileURL: p.store.appendingPathComponent("h.tsv"))
        #expect(throws: OrchestrationError.symlinkOutside(link: link.path, target: secret.resolvingSymlinksInPath().path)) {
            try cache.hash(path: p.root.appendingPathComponent("pipelines/data/corpus").path, root: p.root.path)
        }
        #expect(cache.filesHashed == 0 || !(cache.observed.values.joined().contains { $0.path == link.path }))
    }

    @Test("a symbolic link inside an input folder that stays in the project is followed and its content is in the hash")
    func symlinkInsideIsHashed() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/corpus/a.txt", "inside\n")
        let target = p.write("pipelines/other/t.txt", "one\n")
        try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("pipelines/data/corpus/b.txt").path,
                                                   withDestinationPath: "../../other/t.txt")
        let dir = p.root.appendingPathComponent("pipelines/data/corpus").path
        let h1 = try HashCache(fileURL: p.store.appendingPathComponent("h.tsv")).hash(path: dir, root: p.root.path)
        try Data("two\n".utf8).write(to: target)
        let h2 = try HashCache(fileURL: p.store.appendingPathComponent("h.tsv")).hash(path: dir, root: p.root.path)
        #expect(h1 != h2)
        #expect(try InputFiles.list(dir, root: p.root.path).map(\.relative) == ["a.txt", "b.txt"])
    }

    @Test("a FIFO or a device among an input's files is refused at once, never opened")
    func fifoAndDeviceAreRefused() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/corpus/a.txt", "x\n")
        let fifo = p.root.appendingPathComponent("pipelines/data/corpus/pipe.txt").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let cache = HashCache(fileURL: p.store.appendingPathComponent("h.tsv"))
        let start = Date()
        #expect(throws: OrchestrationError.notRegularFile(path: fifo, kind: "a FIFO (named pipe)")) {
            try cache.hash(path: p.root.appendingPathComponent("pipelines/data/corpus").path, root: p.root.path)
        }
        #expect(throws: OrchestrationError.notRegularFile(path: fifo, kind: "a FIFO (named pipe)")) {
            try cache.hash(path: fifo, root: p.root.path)
        }
        #expect(throws: OrchestrationError.notRegularFile(path: fifo, kind: "a FIFO (named pipe)")) {
            try ContentHasher.hashFile(atPath: fifo)
        }
        // /dev/zero through a link inside the project: refused (it is outside the root and a device).
        try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("pipelines/data/zero.txt").path,
                                                   withDestinationPath: "/dev/zero")
        #expect(throws: OrchestrationError.self) {
            try cache.hash(path: p.root.appendingPathComponent("pipelines/data/zero.txt").path, root: p.root.path)
        }
        #expect(throws: OrchestrationError.notRegularFile(path: "/dev/null", kind: "a character device")) {
            try cache.hash(path: "/dev/null")
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test("an input edited while an earlier stage runs fails the stage that read it, and nothing is published under the old key")
    func inputEditedDuringTheRunFailsTheStage() throws {
        let runner = RecordingStageRunner()
        let h = Harness(runner: runner)
        let clinic = h.project.root.appendingPathComponent("pipelines/data/clinic.txt")
        runner.onRun = { spec in
            // During 'base' (before 'clinic' reads its data), the user edits clinic.txt.
            if spec.name == "base" { try? Data("edited clinic text\n".utf8).write(to: clinic) }
        }
        let summary = try h.run(.init(keepGoing: true))
        #expect(summary.failed == ["clinic"])
        let message = h.events.compactMap { if case .failed("clinic", let m) = $0 { m } else { nil } }.first ?? ""
        #expect(message.contains("pipelines/data/clinic.txt changed while the stage ran"))
        // The next run hashes the edited file and trains on it, under its own key.
        runner.onRun = nil
        let second = try h.run()
        #expect(second.failed.isEmpty && second.executed.contains("clinic"))
        let lock = try LockFile.read(from: h.lockURL, recipe: "demo")
        #expect(lock.stages["clinic"]!.inputs["pipelines/data/clinic.txt"] == ContentHasher.sha256Hex("edited clinic text\n"))
        let result = try String(contentsOf: h.store.outputDirectory(lock.stages["clinic"]!.key).appendingPathComponent("result.txt"), encoding: .utf8)
        #expect(result.contains("edited clinic text"))
    }

    @Test("A hard link made to an input while a stage reads it (as fetch-models makes) is not an edit")
    func aHardLinkToAnInputIsNotAnEdit() throws {
        let runner = RecordingStageRunner()
        let h = Harness(runner: runner)
        let clinic = h.project.root.appendingPathComponent("pipelines/data/clinic.txt")
        let link = h.project.root.appendingPathComponent("clinic-link.txt")
        runner.onRun = { spec in
            // ctime of clinic.txt changes (its link count does); its bytes do not
            if spec.name == "base" { try? FileManager.default.linkItem(at: clinic, to: link) }
        }
        let summary = try h.run(.init(keepGoing: true))
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        #expect(FileManager.default.fileExists(atPath: link.path))
    }
}
