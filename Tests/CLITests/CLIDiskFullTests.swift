import Foundation
import Testing
import TestSupport

/// A run that cannot write — its store on a full tmpfs, or mounted read-only — fails with a message
/// naming the path, and leaves the store consistent: `lathe verify` is clean and earlier entries are
/// intact. Needs mount(2) (root or CAP_SYS_ADMIN); where that is unavailable the suite is reported as
/// skipped with that reason.
@Suite(.serialized, .enabled(if: canMountForTests, "needs root to mount a tmpfs and a read-only bind"))
struct CLIDiskFullTests {
    static let recipe = """
        name: full
        seed: 3
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 280}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            threads: 1
            model: {n_layer: 2, n_head: 2, n_embd: 64, n_positions: 32}   # ≈ 0.12 M parameters: 0.5 MB of weights, 1.5 MB of checkpoint
            datasets: [{path: data/a.txt, type: completion}]
            sequence_len: 32
            micro_batch_size: 2
            max_steps: 4
            save_steps: 2
        """

    @discardableResult
    static func shell(_ args: String...) -> Int32 { runShell(args) }

    func project() -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n\n", count: 80))
        p.write("pipelines/full.yaml", Self.recipe)
        return p
    }

    func entries(_ store: URL) -> [String] {
        ((try? FileManager.default.subpathsOfDirectory(atPath: store.path)) ?? [])
            .filter { $0.hasSuffix("/manifest.json") && !$0.hasPrefix("tmp/") && !$0.hasPrefix("quarantine/") }.sorted()
    }

    @Test func fullDiskFailsTheStageNamingThePathAndKeepsEarlierEntries() throws {
        let p = project()
        let store = p.root.appendingPathComponent("small-store")
        try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        // Room for the tokenizer stage, not for the model's checkpoint and weights.
        try #require(Self.shell("mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", store.path) == 0)
        defer { Self.shell("umount", store.path) }
        let run = try CommandRunner.run(["run", "pipelines/full.yaml", "--store", store.path], in: p.root)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("✘ base failed"), "\(run.stderr)")
        #expect(run.stderr.contains(store.path), "the message does not name the store path: \(run.stderr)")
        // Foundation words ENOSPC as "There isn’t enough space."; the store's own writes say strerror's text.
        #expect(run.stderr.contains("enough space") || run.stderr.contains("No space left on device"), "\(run.stderr)")
        #expect(entries(store).count == 1, "the finished tokenizer entry was lost: \(entries(store))")
        let verify = try CommandRunner.run(["verify", "--store", store.path], in: p.root)
        #expect(verify.status == 0, "\(verify.stdout)")
        let work = (try? FileManager.default.contentsOfDirectory(atPath: store.appendingPathComponent("tmp").path)) ?? []
        #expect(!work.contains { $0.hasPrefix("work-") }, "a failed stage left its work directory: \(work)")
    }

    @Test func readOnlyStoreFailsAtOnceNamingThePathAndChangesNothing() throws {
        let p = project()
        let first = try CommandRunner.run(["run", "pipelines/full.yaml", "--until", "tok"], in: p.root)
        #expect(first.status == 0, "\(first.stderr)")
        let before = entries(p.store)
        try #require(Self.shell("mount", "--bind", "-o", "ro", p.store.path, p.store.path) == 0)
        defer { Self.shell("umount", p.store.path) }
        let run = try CommandRunner.run(["run", "pipelines/full.yaml"], in: p.root)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains(p.store.path), "\(run.stderr)")
        #expect(run.stderr.contains("Read-only file system"), "\(run.stderr)")
        Self.shell("umount", p.store.path)
        #expect(entries(p.store) == before)
        let verify = try CommandRunner.run(["verify"], in: p.root)
        #expect(verify.status == 0, "\(verify.stdout)")
        let rerun = try CommandRunner.run(["run", "pipelines/full.yaml"], in: p.root)
        #expect(rerun.status == 0, "\(rerun.stderr)")
    }
}

/// Whether this process may mount (root with CAP_SYS_ADMIN): probed once with a 64 KiB tmpfs.
let canMountForTests: Bool = {
    guard geteuid() == 0 else { return false }
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-mount-probe-\(getpid())")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    guard runShell(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.path]) == 0 else { return false }
    return runShell(["umount", dir.path]) == 0
}()

/// Runs a command (through /usr/bin/env), silently; returns its exit status, -1 if it could not start.
@discardableResult
func runShell(_ args: [String]) -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    guard (try? p.run()) != nil else { return -1 }
    p.waitUntilExit()
    return p.terminationStatus
}
