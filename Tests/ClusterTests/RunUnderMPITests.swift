import Foundation
import Testing
import TestSupport

/// `mpirun -np N lathe run` end to end on a tiny recipe (tokenize on rank 0, then a 12-row-per-step
/// training stage shared by the ranks): equality with one process, faults and resume, the dry run.
@Suite("lathe run under mpirun", .serialized)
struct RunUnderMPITests {
    static let recipe = """
        name: ranks
        seed: 3
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 280}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            threads: 1
            model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32}
            datasets: [{path: data/a.txt, type: completion}]
            sequence_len: 32
            micro_batch_size: 4
            gradient_accumulation_steps: 3
            max_steps: 30
            save_steps: 4
            learning_rate: 3e-3
        """

    static func project() -> TemporaryProject {
        let p = TemporaryProject()
        var rng = SplitMixGenerator(seed: 9)
        let words = ["lathe", "gouge", "spindle", "bowl", "grain", "chisel", "wood", "turns", "cuts", "the", "a"]
        var text = ""
        for _ in 0..<300 {
            text += (0..<8).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") + ".\n\n"
        }
        p.write("pipelines/data/a.txt", text)
        p.write("pipelines/ranks.yaml", recipe)
        return p
    }

    static func lathe(_ ranks: Int?, _ args: [String], in p: TemporaryProject) throws -> CommandRunner.Result {
        try MPIRunner.run(ranks: ranks, CommandRunner.latheBinary, args, in: p.root)
    }

    /// The published `base` model's parameters (the tensors after the safetensors header), or nil.
    static func baseWeights(_ p: TemporaryProject) throws -> [Float]? {
        guard let lock = p.read("pipelines/ranks.lock"),
              let json = try JSONSerialization.jsonObject(with: Data(lock.utf8)) as? [String: Any],
              let base = (json["stages"] as? [String: Any])?["base"] as? [String: Any], let key = base["key"] as? String else { return nil }
        let data = try Data(contentsOf: p.store.appendingPathComponent("\(key.prefix(2))/\(key)/out/model.safetensors"))
        let header = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        return data.dropFirst(8 + header).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        a.count == b.count ? zip(a, b).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    /// Training finished by one process: the reference every distributed run is held to.
    static let reference: [Float]? = {
        let p = project()
        guard (try? lathe(nil, ["run", "pipelines/ranks.yaml"], in: p))?.status == 0 else { return nil }
        return try? baseWeights(p)
    }()

    @Test("Two and three ranks publish the model one process trains with the same global batch, to 1e-5", arguments: [2, 3])
    func ranksMatchOneProcess(ranks: Int) throws {
        let reference = try #require(Self.reference, "the one-process run failed")
        let p = Self.project()
        let run = try Self.lathe(ranks, ["run", "pipelines/ranks.yaml"], in: p)
        #expect(run.status == 0, "\(run.stderr)")
        let weights = try #require(try Self.baseWeights(p))
        #expect(Self.maxDifference(weights, reference) <= 1e-5)
        // the rank count is not part of the stage key: one process finds the result up to date
        let again = try Self.lathe(nil, ["run", "pipelines/ranks.yaml"], in: p)
        #expect(again.status == 0 && again.stderr.contains("up to date") && !again.stderr.contains("resumed"), "\(again.stderr)")
    }

    /// The pids of `mpirun`'s children (the ranks on this machine) by rank.
    static func rankPIDs(of mpirun: Process) -> [Int: Int32] {
        var pids: [Int: Int32] = [:]
        let children = (try? String(contentsOfFile: "/proc/\(mpirun.processIdentifier)/task/\(mpirun.processIdentifier)/children", encoding: .utf8)) ?? ""
        for pid in children.split(separator: " ").compactMap({ Int32($0) }) {
            guard let env = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { continue }
            for entry in env.split(separator: 0) {
                let text = String(decoding: entry, as: UTF8.self)
                if text.hasPrefix("OMPI_COMM_WORLD_RANK="), let r = Int(text.dropFirst(21)) { pids[r] = pid }
            }
        }
        return pids
    }

    /// Whether every pid has exited (gone, or a zombie awaiting its reaper) within 5 s.
    static func allGone(_ pids: some Collection<Int32>) -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let alive = pids.filter { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
                let state = stat.split(separator: ")").last?.split(separator: " ").first ?? "Z"
                return state != "Z"
            }
            if alive.isEmpty { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }

    @Test("A killed rank stops every rank with a non-zero exit and publishes nothing; the next run resumes with another rank count")
    func killedRankThenResume() throws {
        let reference = try #require(Self.reference, "the one-process run failed")
        let p = Self.project()
        let out = Pipe()
        let job = try MPIRunner.start(ranks: 2, CommandRunner.latheBinary, ["run", "pipelines/ranks.yaml", "--log-format", "json"],
                                      in: p.root, environment: ["LATHE_TESTONLY_STEP_SECONDS": "0.05"], stdout: out)
        let seen = CommandRunner.waitFor("\"step\":6,", in: out)
        #expect(seen.contains("\"step\":6,"), "training never reached step 6")
        let pids = Self.rankPIDs(of: job)
        let victim = try #require(pids[1], "rank 1 not found among mpirun's children \(pids)")
        kill(victim, SIGKILL)
        let drain = PipeDrain(out, Pipe())
        job.waitUntilExit()
        _ = drain
        #expect(job.terminationStatus != 0)
        #expect(Self.allGone(pids.values), "a rank outlived the job")
        #expect(try Self.baseWeights(p) == nil, "the interrupted stage was published")

        let rerun = try Self.lathe(3, ["run", "pipelines/ranks.yaml", "--log-format", "json"], in: p)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("resumed from step 4"), "\(rerun.stdout)")
        #expect(Self.maxDifference(try #require(try Self.baseWeights(p)), reference) <= 1e-5)
    }

    @Test("Ctrl-C on mpirun stops every rank non-zero, publishes nothing, and the next run resumes")
    func interruptThenResume() throws {
        let reference = try #require(Self.reference, "the one-process run failed")
        let p = Self.project()
        let out = Pipe()
        let job = try MPIRunner.start(ranks: 2, CommandRunner.latheBinary, ["run", "pipelines/ranks.yaml", "--log-format", "json"],
                                      in: p.root, environment: ["LATHE_TESTONLY_STEP_SECONDS": "0.05"], stdout: out)
        let seen = CommandRunner.waitFor("\"step\":9,", in: out)
        #expect(seen.contains("\"step\":9,"), "training never reached step 9")
        let pids = Self.rankPIDs(of: job)
        kill(job.processIdentifier, SIGINT)
        let drain = PipeDrain(out, Pipe())
        job.waitUntilExit()
        _ = drain
        #expect(job.terminationStatus != 0)
        #expect(Self.allGone(pids.values), "a rank outlived the job")
        #expect(try Self.baseWeights(p) == nil, "the interrupted stage was published")

        let rerun = try Self.lathe(2, ["run", "pipelines/ranks.yaml", "--log-format", "json"], in: p)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("resumed from step"), "\(rerun.stdout)")
        #expect(Self.maxDifference(try #require(try Self.baseWeights(p)), reference) <= 1e-5)
    }

    @Test("The dry run under mpirun prints the rank layout once, with each rank's rows")
    func dryRunLayout() throws {
        let p = Self.project()
        let run = try Self.lathe(3, ["run", "pipelines/ranks.yaml", "--dry-run"], in: p)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.components(separatedBy: "MPI: 3 ranks").count == 2, "\(run.stdout)")
        #expect(run.stdout.contains("base: 12 rows per step"))
        #expect(run.stdout.contains("rank 0 (") && run.stdout.contains("rows 0..<4") && run.stdout.contains("rank 2 (") && run.stdout.contains("rows 8..<12"))
    }
}
