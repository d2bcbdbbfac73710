import Foundation
@testable import Datasets
import Testing

/// The data readers' whole-file reads (POSIX, because Foundation's `contents(atPath:)` leaks on empty
/// files: RELIABILITY.md §4).
@Suite struct FileBytesTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-filebytes-\(UUID().uuidString)")

    @Test func emptyLargeMissingAndDirectoryPathsReadAsExpected() throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = dir.appendingPathComponent("empty.bin")
        try Data().write(to: empty)
        #expect(FileBytes.load(empty.path) == [])
        // larger than the 1 MiB read chunk and not a multiple of it
        let bytes = (0..<(3 << 20) + 12_345).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let large = dir.appendingPathComponent("large.bin")
        try Data(bytes).write(to: large)
        #expect(FileBytes.load(large.path) == bytes)
        #expect(FileBytes.load(dir.appendingPathComponent("missing.bin").path) == nil)
        #expect(FileBytes.load(dir.path) == nil)
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
