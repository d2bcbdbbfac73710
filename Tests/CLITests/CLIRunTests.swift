import Foundation
import Testing
import TestSupport

/// End-to-end runs of the built binary on a two-stage tokenize chain (fast, engine-free):
///
///     data/a.txt ── first ── second (from: first) ── data/b.txt
@Suite(.serialized) struct CLIRunTests {
    static let recipe = """
        name: chain
        seed: 1
        stages:
          first: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
          second: {kind: tokenize, from: first, datasets: [{path: data/b.txt, type: completion}]}
        """

    func project() -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n\n", count: 50))
        p.write("pipelines/data/b.txt", String(repeating: "a spindle is turned between centres.\n\n", count: 50))
        p.write("pipelines/chain.yaml", CLIRunTests.recipe)
        return p
    }

    func manifests(_ p: TemporaryProject) -> [String] {
        let keys = (try? FileManager.default.subpathsOfDirectory(atPath: p.store.path)) ?? []
        return keys.filter { $0.hasSuffix("/manifest.json") && !$0.hasPrefix("tmp/") && !$0.hasPrefix("quarantine/") }
    }

    @Test func secondRunExecutesNothingAndSaysSo() throws {
        let p = project()
        let first = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("Done: 2 executed"))
        let lock = p.read("pipelines/chain.lock")
        #expect(lock != nil)
        let second = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        #expect(second.status == 0)
        #expect(second.stderr.contains("Nothing to do: all 2 stages are up to date (0 executed"))
        #expect(p.read("pipelines/chain.lock") == lock)
        let status = try CommandRunner.run(["status", "pipelines/chain.yaml"], in: p.root)
        #expect(status.status == 0)
        #expect(status.stdout == "first   up to date\nsecond  up to date\n")
    }

    @Test func statusExplainsAnOverrideAndExitsOne() throws {
        let p = project()
        _ = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        let r = try CommandRunner.run(["status", "pipelines/chain.yaml", "--set", "stages.first.vocab_size=280"], in: p.root)
        #expect(r.status == 1)
        #expect(r.stdout.contains("first   will run: vocab_size 300 → 280"))
        #expect(r.stdout.contains("second  pending upstream 'first'"))
    }

    @Test func jsonLogFormatEmitsOneObjectPerEvent() throws {
        let p = project()
        let r = try CommandRunner.run(["run", "pipelines/chain.yaml", "--log-format", "json"], in: p.root)
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.contains { $0.contains("\"event\":\"started\"") && $0.contains("\"stage\":\"first\"") })
        #expect(lines.last?.contains("\"event\":\"summary\"") == true)
        for line in lines { #expect(line.hasPrefix("{") && line.hasSuffix("}")) }
    }

    @Test func killedRunKeepsFinishedStagesAndRerunsOnlyTheInterruptedOne() throws {
        let p = project()
        // Each stage execution waits 1.5 s first, so the kill lands inside 'second'.
        let proc = try CommandRunner.start(["run", "pipelines/chain.yaml"], in: p.root,
                                           environment: ["LATHE_TESTONLY_STAGE_SECONDS": "1.5"])
        let deadline = Date().addingTimeInterval(60)
        while manifests(p).isEmpty && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        #expect(manifests(p).count == 1, "the first stage never published")
        kill(proc.processIdentifier, SIGKILL)
        proc.waitUntilExit()
        #expect(proc.terminationReason == .uncaughtSignal)
        // The store is consistent: exactly the finished stage, intact.
        let verify = try CommandRunner.run(["verify"], in: p.root)
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("Verified 1 entry: all intact."))
        let rerun = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("first: cached result restored"))
        #expect(rerun.stderr.contains("Done: 1 executed, 1 restored from cache"))
        // Leftover work directories of the killed run are gone.
        let tmp = (try? FileManager.default.contentsOfDirectory(atPath: p.store.appendingPathComponent("tmp").path)) ?? []
        #expect(tmp.allSatisfy { !$0.hasPrefix("work-") })
    }

    @Test func interruptWithSigintPublishesNothingHalfDoneAndExits130() throws {
        let p = project()
        let err = Pipe()
        let proc = try CommandRunner.start(["run", "pipelines/chain.yaml"], in: p.root,
                                           environment: ["LATHE_TESTONLY_STAGE_SECONDS": "5"], stderr: err)
        // Interrupt once the first stage is running (its signal handlers are installed by then).
        CommandRunner.waitFor("▸ first: running", in: err)
        kill(proc.processIdentifier, SIGINT)
        proc.waitUntilExit()
        #expect(proc.terminationStatus == 130)
        #expect(manifests(p).isEmpty)
        #expect(try CommandRunner.run(["verify"], in: p.root).status == 0)
    }

    @Test func secondConcurrentRunWaitsForTheStoreThenFindsNothingToDo() throws {
        let p = project()
        let errPipe = Pipe(), aErr = Pipe()
        let a = try CommandRunner.start(["run", "pipelines/chain.yaml"], in: p.root,
                                        environment: ["LATHE_TESTONLY_STAGE_SECONDS": "1"], stderr: aErr)
        // Once 'a' runs a stage it holds the store lock.
        CommandRunner.waitFor("▸ first: running", in: aErr)
        let busy = try CommandRunner.run(["run", "pipelines/chain.yaml", "--no-wait"], in: p.root)
        #expect(busy.status == 75)
        #expect(busy.stderr.contains("is locked by another lathe process (pid \(a.processIdentifier))"))
        let b = try CommandRunner.start(["run", "pipelines/chain.yaml"], in: p.root, stderr: errPipe)
        a.waitUntilExit()
        b.waitUntilExit()
        let bErr = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(a.terminationStatus == 0)
        #expect(b.terminationStatus == 0)
        #expect(bErr.contains("waiting for pid \(a.processIdentifier)"))
        #expect(bErr.contains("Nothing to do"))
        #expect(try CommandRunner.run(["verify"], in: p.root).status == 0)
    }

    @Test func corruptedEntryIsQuarantinedByVerifyAndRecomputed() throws {
        let p = project()
        _ = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        let target = manifests(p).sorted().first!.replacingOccurrences(of: "manifest.json", with: "out/tokenizer.json")
        let url = p.store.appendingPathComponent(target)
        var bytes = try Data(contentsOf: url)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: url)
        let verify = try CommandRunner.run(["verify"], in: p.root)
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("does not match its recorded SHA-256"))
        let rerun = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("1 executed"))
        #expect(try CommandRunner.run(["verify"], in: p.root).status == 0)
    }

    /// A checkpoint of a stage that has published since is stale and always goes; one of an interrupted
    /// run, and the encoded-dataset cache, stay (with their sizes said) unless asked for.
    @Test func gcDropsStaleCheckpointsAndKeepsInterruptedOnesAndTheDatasetCacheUnlessAsked() throws {
        let p = project()
        _ = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        let fm = FileManager.default
        // layout of docs/formats.md: <store>/tmp/resume/<key>/ and <store>/datasets/
        let published = try #require(manifests(p).sorted().first?.split(separator: "/").dropLast().last.map(String.init))
        let interrupted = String(repeating: "ab", count: 32)
        let resume = p.store.appendingPathComponent("tmp/resume")
        func resumeKeys() -> [String] { ((try? fm.contentsOfDirectory(atPath: resume.path)) ?? []).sorted() }
        for key in [published, interrupted] {
            let dir = resume.appendingPathComponent(key)
            try fm.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(count: 2048).write(to: dir.appendingPathComponent("checkpoint.bin"))
        }
        let datasets = p.store.appendingPathComponent("datasets")
        // A cache entry as EncodedDatasetCache names it (gc deletes only such names).
        let entry = datasets.appendingPathComponent("cd/cd" + String(repeating: "ef", count: 31))
        try fm.createDirectory(at: entry, withIntermediateDirectories: true)
        try Data(count: 4096).write(to: entry.appendingPathComponent("train.bin"))

        let dry = try CommandRunner.run(["gc", "--dry-run", "--resume", "--datasets"], in: p.root)
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("Would delete 2 resume checkpoints"))
        #expect(dry.stdout.contains("Would delete the encoded-dataset cache"))
        #expect(resumeKeys() == [published, interrupted].sorted())
        #expect(fm.fileExists(atPath: entry.path))

        let gc = try CommandRunner.run(["gc"], in: p.root)
        #expect(gc.status == 0, "\(gc.stderr)")
        #expect(gc.stdout.contains("Deleted 1 resume checkpoint (0.0 MiB)"))
        #expect(gc.stdout.contains("Kept 1 resume checkpoint of interrupted runs"))
        #expect(gc.stdout.contains("Kept the encoded-dataset cache"))
        #expect(resumeKeys() == [interrupted])
        #expect(fm.fileExists(atPath: entry.path))

        let all = try CommandRunner.run(["gc", "--resume", "--datasets"], in: p.root)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("Deleted 1 resume checkpoint"))
        #expect(all.stdout.contains("Deleted the encoded-dataset cache"))
        #expect(resumeKeys().isEmpty)
        #expect(!fm.fileExists(atPath: datasets.path))
        #expect(manifests(p).count == 2)
        let again = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        #expect(again.stderr.contains("Nothing to do"))
    }

    @Test func gcKeepsWhatTheLockNamesAndDropsTheRest() throws {
        let p = project()
        _ = try CommandRunner.run(["run", "pipelines/chain.yaml", "--set", "stages.first.vocab_size=280"], in: p.root)
        _ = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        #expect(manifests(p).count == 4)
        let gc = try CommandRunner.run(["gc"], in: p.root)
        #expect(gc.status == 0)
        #expect(gc.stdout.contains("Deleted 2 entries"))
        #expect(manifests(p).count == 2)
        let again = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        #expect(again.stderr.contains("Nothing to do"))
    }
}
