import Foundation
import Testing
import TestSupport

/// Several `lathe` processes on one store at once — runs of the same recipe, a run of another recipe
/// sharing a stage with it, `status`, `gc` and `verify` — never corrupt it or lose an entry: every
/// command exits normally, the writers queue on the store lock and say whom they wait for, `gc` deletes
/// nothing a lock file names, and the store verifies clean afterwards.
@Suite(.serialized) struct CLIConcurrencyTests {
    static let chain = """
        name: chain
        seed: 1
        stages:
          first: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
          second: {kind: tokenize, from: first, datasets: [{path: data/b.txt, type: completion}]}
        """
    /// Shares `first` (same key) with chain.yaml, and adds a stage of its own.
    static let other = """
        name: other
        seed: 1
        stages:
          first: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
          third: {kind: tokenize, datasets: [{path: data/b.txt, type: completion}], vocab_size: 290}
        """

    func project() -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n\n", count: 50))
        p.write("pipelines/data/b.txt", String(repeating: "a spindle is turned between centres.\n\n", count: 50))
        p.write("pipelines/chain.yaml", Self.chain)
        p.write("pipelines/other.yaml", Self.other)
        return p
    }

    struct Launched {
        let args: [String]
        let process: Process
        let stderr: Pipe
        let stdout: Pipe
    }

    @Test func mixedCommandsOnOneStoreKeepItConsistent() throws {
        let p = project()
        // A stale entry no lock file names, for gc to collect while the others work.
        _ = try CommandRunner.run(["run", "pipelines/chain.yaml", "--set", "stages.first.vocab_size=280"], in: p.root)
        let slow = ["LATHE_TESTONLY_STAGE_SECONDS": "0.4"]
        let commands: [([String], [String: String])] = [
            (["run", "pipelines/chain.yaml"], slow),
            (["run", "pipelines/other.yaml"], slow),
            (["gc"], [:]),
            (["run", "pipelines/chain.yaml"], slow),
            (["status", "pipelines/other.yaml"], [:]),
            (["verify"], [:]),
            (["run", "pipelines/other.yaml", "--jobs", "2"], slow),
            (["status", "pipelines/chain.yaml"], [:]),
        ]
        var launched: [Launched] = []
        for (args, env) in commands {
            let out = Pipe(), err = Pipe()
            launched.append(Launched(args: args, process: try CommandRunner.start(args, in: p.root, environment: env, stdout: out, stderr: err),
                                     stderr: err, stdout: out))
            Thread.sleep(forTimeInterval: 0.05)
        }
        var waits = 0
        for l in launched {
            // Read before waiting so no process blocks on a full pipe.
            let err = String(decoding: l.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let out = String(decoding: l.stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            l.process.waitUntilExit()
            #expect(l.process.terminationReason == .exit, "\(l.args) was killed by a signal")
            // `status` exits 1 when something would run; everything else must succeed.
            let allowed: Set<Int32> = l.args[0] == "status" ? [0, 1] : [0]
            #expect(allowed.contains(l.process.terminationStatus), "\(l.args) exited \(l.process.terminationStatus): \(err)\(out)")
            if err.contains("lathe: waiting for pid ") { waits += 1 }
            #expect(!err.contains("corrupt"), "\(l.args): \(err)")
        }
        #expect(waits >= 2, "the writers never queued on the store lock")
        // Every entry either lock file names is present and intact.
        for recipe in ["chain", "other"] {
            let lock = try #require(p.read("pipelines/\(recipe).lock"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(lock.utf8)) as? [String: Any])
            for (stage, entry) in try #require(json["stages"] as? [String: Any]) {
                let key = try #require((entry as? [String: Any])?["key"] as? String)
                #expect(FileManager.default.fileExists(atPath: p.store.appendingPathComponent("\(key.prefix(2))/\(key)/manifest.json").path),
                        "\(recipe).lock names \(stage) → \(key), which is not in the store")
            }
        }
        let verify = try CommandRunner.run(["verify"], in: p.root)
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(!FileManager.default.fileExists(atPath: p.store.appendingPathComponent("quarantine").path))
        let again = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: p.root)
        #expect(again.stderr.contains("Nothing to do"), "\(again.stderr)")
    }
}
