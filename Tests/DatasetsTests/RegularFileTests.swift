import Foundation
@testable import Datasets
import Files
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The one file layer's whole-file reads (POSIX, because Foundation's `contents(atPath:)` leaks on empty
/// files: RELIABILITY.md §4) and atomic writes.
@Suite struct RegularFileTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-filebytes-\(UUID().uuidString)")

    @Test func emptyLargeMissingAndDirectoryPathsReadAsExpected() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.bin")
        try Data().write(to: empty)
        #expect(try RegularFile.read(empty.path) == [])
        // larger than the 1 MiB read chunk and not a multiple of it
        let bytes = (0..<(3 << 20) + 12_345).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let large = dir.appendingPathComponent("large.bin")
        try Data(bytes).write(to: large)
        #expect(try RegularFile.read(large.path) == bytes)
        var streamed: [UInt8] = []
        try RegularFile.forEachChunk(large.path) { streamed.append(contentsOf: $0) }
        #expect(streamed == bytes)
        let missing = dir.appendingPathComponent("missing.bin").path
        #expect(throws: FileError(path: missing, reason: "no such file")) { try RegularFile.read(missing) }
        #expect(throws: FileError(path: dir.path, reason: "it is a directory; name a file inside it")) { try RegularFile.read(dir.path) }
    }

    @Test("an atomic write creates the folder, replaces the file whole and leaves no temporary file behind")
    func atomicWriteReplacesWholeAndLeavesNoTemporaryFile() throws {
        defer { try? FileManager.default.removeItem(at: dir) }
        let target = dir.appendingPathComponent("sub/file.txt").path
        try AtomicFile.write(Array("first version, longer".utf8), to: target)
        try AtomicFile.write(Array("second".utf8), to: target)
        #expect(try RegularFile.read(target) == Array("second".utf8))
        // A writer that fails midway leaves the old bytes and no temporary file.
        #expect(throws: FileError.self) {
            try AtomicFile.write(to: target) { (emit) throws(FileError) in
                try emit(UnsafeRawBufferPointer(start: nil, count: 0))
                throw FileError(path: target, reason: "stopped by the test")
            }
        }
        #expect(try RegularFile.read(target) == Array("second".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("sub").path) == ["file.txt"])
        // A parent that is a file is named in the error.
        #expect(throws: FileError.self) { try AtomicFile.write([1, 2], to: target + "/inner") }
    }

    @Test func anEmptyShardReadsAsNoTokensAndADirectoryIsNamedAsOne() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("train.bin")
        try Data().write(to: empty)
        // an empty file is a headerless (nanoGPT-style) shard of zero tokens
        #expect(try TokenShard.read(empty).values.isEmpty)
        let error = try #require(throws: DatasetError.self) { try TokenShard.read(dir) }
        guard case let .unreadable(path, reason) = error else { Issue.record("expected unreadable, got \(error)"); return }
        #expect(path == dir.path && reason.contains("a directory"))
    }
}

/// Issue 23: the data readers read only regular files inside the project root, and never block.
@Suite struct HostileDataFileTests {
    let project = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-hostile-data-\(UUID().uuidString.prefix(8))")

    @Test("a symbolic link in a dataset folder that leads out of the project is refused, and the outside text is never read")
    func linkOutOfADatasetFolderIsRefused() throws {
        let corpus = project.appendingPathComponent("data/corpus")
        try FileManager.default.createDirectory(at: corpus, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: project) }
        try Data("inside text\n".utf8).write(to: corpus.appendingPathComponent("a.txt"))
        let outside = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-secret-\(UUID().uuidString.prefix(8)).txt")
        try Data("SECRET-OUTSIDE\n".utf8).write(to: outside)
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createSymbolicLink(at: corpus.appendingPathComponent("b.txt"), withDestinationURL: outside)
        let spec = DatasetSpec(path: corpus, type: .completion, root: project)
        let error = try #require(throws: DatasetError.self) { try DatasetReader.examples(spec) }
        #expect(error.description.contains("b.txt") && error.description.contains("outside the project root"))
        // Without a root (tools), the same folder reads; with one, no example ever holds the outside text.
        #expect(try DatasetReader.examples(DatasetSpec(path: corpus, type: .completion)).count == 2)
    }

    @Test("a FIFO or /dev/zero given as a dataset file is refused at once with a message that says what it is")
    func fifoAndDeviceAreRefusedWithoutBlocking() throws {
        try FileManager.default.createDirectory(at: project.appendingPathComponent("data"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: project) }
        let fifo = project.appendingPathComponent("data/pipe.txt")
        #expect(mkfifo(fifo.path, 0o644) == 0)
        let start = Date()
        let error = try #require(throws: DatasetError.self) { try DatasetReader.examples(DatasetSpec(path: fifo, type: .completion, root: project)) }
        #expect(error.description.contains("FIFO") && !error.description.contains("permission"))
        let zero = try #require(throws: DatasetError.self) { try DatasetReader.examples(DatasetSpec(path: URL(fileURLWithPath: "/dev/zero"), type: .completion)) }
        #expect(zero.description.contains("device"))
        #expect(Date().timeIntervalSince(start) < 5)
    }
}
