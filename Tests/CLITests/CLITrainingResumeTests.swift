import Foundation
import Testing
import TestSupport

/// A training stage SIGKILLed mid-run resumes from its last checkpoint on the next `lathe run`
/// and ends with the same model bytes as a run that was never interrupted.
@Suite(.serialized) struct CLITrainingResumeTests {
    static let recipe = """
        name: resume
        seed: 3
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 280}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            threads: 1                 # bitwise resume needs the same thread count
            model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32}
            datasets: [{path: data/a.txt, type: completion}]
            sequence_len: 32
            micro_batch_size: 4
            max_steps: 40
            save_steps: 5
            learning_rate: 3e-3
        """

    func project() -> TemporaryProject {
        let p = TemporaryProject()
        var rng = SplitMixGenerator(seed: 9)
        let words = ["lathe", "gouge", "spindle", "bowl", "grain", "chisel", "wood", "turns", "cuts", "the", "a"]
        var text = ""
        for _ in 0..<300 {
            text += (0..<8).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") + ".\n\n"
        }
        p.write("pipelines/data/a.txt", text)
        p.write("pipelines/resume.yaml", CLITrainingResumeTests.recipe)
        return p
    }

    func modelBytes(_ p: TemporaryProject) throws -> Data {
        let lock = try #require(p.read("pipelines/resume.lock"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(lock.utf8)) as? [String: Any])
        let stages = try #require(json["stages"] as? [String: Any])
        let base = try #require(stages["base"] as? [String: Any])
        let key = try #require(base["key"] as? String)
        let url = p.store.appendingPathComponent("\(key.prefix(2))/\(key)/out/model.safetensors")
        return try Data(contentsOf: url)
    }

    @Test func sigkillMidTrainingThenRerunResumesToIdenticalBytes() throws {
        let reference = project()
        let full = try CommandRunner.run(["run", "pipelines/resume.yaml"], in: reference.root)
        #expect(full.status == 0, "\(full.stderr)")

        let p = project()
        let out = Pipe()
        let proc = try CommandRunner.start(["run", "pipelines/resume.yaml", "--log-format", "json"], in: p.root, stdout: out)
        // Kill between two checkpoints: after step 12 was reported (checkpoint at 10 exists).
        let seen = CommandRunner.waitFor("\"step\":12,", in: out)
        kill(proc.processIdentifier, SIGKILL)
        proc.waitUntilExit()
        #expect(seen.contains("\"step\":12,"), "training never reached step 12")

        let rerun = try CommandRunner.run(["run", "pipelines/resume.yaml", "--log-format", "json"], in: p.root)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stdout.contains("resumed from step 10"), "the rerun did not resume from the step-10 checkpoint")
        #expect(try modelBytes(p) == (try modelBytes(reference)))
    }
}
