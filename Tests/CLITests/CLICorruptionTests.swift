import Foundation
import Testing
import TestSupport

/// Damage to every kind of file Lathe keeps — store outputs and manifests, the hash memo, the lock
/// file, resume checkpoints and the encoded-dataset cache — is detected, reported naming the file,
/// and recovered from by recomputing: the run succeeds, `lathe verify` is clean and the model bytes
/// equal an undamaged run's. Never is a damaged file used silently.
@Suite(.serialized) struct CLICorruptionTests {
    static let recipe = """
        name: chain
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
            max_steps: 40
            save_steps: 5
            learning_rate: 3e-3
        """

    /// Which file a case damages, resolved against a project's lock file and store.
    enum Target: Sendable {
        case output(stage: String, file: String)
        case manifest(stage: String)
        case hashCache
        case lockFile
        case checkpoint(file: String)
        case datasetCache(file: String)
    }

    enum Damage: String, Sendable { case flip, truncate, delete }

    struct Case: Sendable, CustomTestStringConvertible {
        let target: Target
        let damage: Damage
        /// Delete this stage's entry first, so the run has to read the damaged file (a no-op run reads
        /// no data, by design; `lathe verify` is what rehashes results nobody is reading).
        var recompute: String? = nil
        /// Run `lathe verify` before the run (and expect it to find the damage).
        var verifyFirst = false
        /// Text the reports must contain: the damaged file's name.
        let mentions: String
        var testDescription: String { "\(damage.rawValue) \(mentions)\(recompute.map { " (then \($0) reruns)" } ?? "")" }
    }

    static let cases: [Case] = [
        // Published results: found by `verify` (rehash), by a run's size check, or by the deep check
        // a stage makes of its upstreams before reading them.
        Case(target: .output(stage: "base", file: "model.safetensors"), damage: .flip, verifyFirst: true, mentions: "model.safetensors"),
        Case(target: .output(stage: "base", file: "model.safetensors"), damage: .truncate, mentions: "model.safetensors"),
        Case(target: .output(stage: "base", file: "config.json"), damage: .delete, mentions: "config.json"),
        Case(target: .output(stage: "tok", file: "tokenizer.json"), damage: .flip, recompute: "base", mentions: "tokenizer.json"),
        Case(target: .manifest(stage: "base"), damage: .flip, verifyFirst: true, mentions: "manifest.json"),
        Case(target: .manifest(stage: "base"), damage: .truncate, mentions: "manifest.json"),
        Case(target: .manifest(stage: "tok"), damage: .delete, mentions: "tok"),
        // Bookkeeping: the memo of input hashes and the lock file.
        Case(target: .hashCache, damage: .flip, mentions: "hash-cache.tsv"),
        Case(target: .hashCache, damage: .truncate, mentions: "hash-cache.tsv"),
        Case(target: .lockFile, damage: .truncate, mentions: "chain.lock"),
        Case(target: .lockFile, damage: .flip, mentions: "chain.lock"),
        // Scratch state: resume checkpoints and encoded datasets.
        Case(target: .checkpoint(file: "parameters.f32"), damage: .flip, mentions: "parameters.f32"),
        Case(target: .checkpoint(file: "adam_v.f32"), damage: .truncate, mentions: "adam_v.f32"),
        Case(target: .checkpoint(file: "trainer.json"), damage: .delete, mentions: "trainer.json"),
        Case(target: .datasetCache(file: "train.bin"), damage: .flip, recompute: "base", mentions: "train.bin"),
        Case(target: .datasetCache(file: "checksums.txt"), damage: .delete, recompute: "base", mentions: "checksums.txt"),
    ]

    static func project() -> TemporaryProject {
        let p = TemporaryProject()
        var rng = SplitMixGenerator(seed: 9)
        let words = ["lathe", "gouge", "spindle", "bowl", "grain", "chisel", "wood", "turns", "cuts", "the", "a"]
        var text = ""
        for _ in 0..<300 {
            text += (0..<8).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") + ".\n\n"
        }
        p.write("pipelines/data/a.txt", text)
        p.write("pipelines/chain.yaml", recipe)
        return p
    }

    /// A finished project, and one whose run was SIGKILLed mid-training (a checkpoint on disk), made
    /// once and copied for every case.
    final class Fixtures: Sendable {
        let finished = CLICorruptionTests.project()
        let killed = CLICorruptionTests.project()
        let referenceModel: Data

        init() throws {
            let full = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: finished.root)
            guard full.status == 0 else { throw Failure("reference run failed: \(full.stderr)") }
            referenceModel = try CLICorruptionTests.modelBytes(finished)
            let out = Pipe()
            let proc = try CommandRunner.start(["run", "pipelines/chain.yaml", "--log-format", "json"], in: killed.root, stdout: out)
            CommandRunner.waitFor("\"step\":12,", in: out)
            kill(proc.processIdentifier, SIGKILL)
            proc.waitUntilExit()
        }
    }

    struct Failure: Error, CustomStringConvertible { let description: String; init(_ d: String) { description = d } }

    static let fixtures = Result { try Fixtures() }

    static func key(_ p: TemporaryProject, _ stage: String) throws -> String {
        let lock = try #require(p.read("pipelines/chain.lock"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(lock.utf8)) as? [String: Any])
        let entry = try #require((json["stages"] as? [String: Any])?[stage] as? [String: Any])
        return try #require(entry["key"] as? String)
    }

    static func entry(_ p: TemporaryProject, _ stage: String) throws -> URL {
        let k = try key(p, stage)
        return p.store.appendingPathComponent("\(k.prefix(2))/\(k)")
    }

    static func modelBytes(_ p: TemporaryProject) throws -> Data {
        try Data(contentsOf: try entry(p, "base").appendingPathComponent("out/model.safetensors"))
    }

    /// A copy of `source`'s project folder in a new temporary project.
    static func copy(_ source: TemporaryProject) throws -> TemporaryProject {
        let p = TemporaryProject()
        try FileManager.default.removeItem(at: p.root)
        try FileManager.default.copyItem(at: source.root, to: p.root)
        return p
    }

    static func resolve(_ target: Target, in p: TemporaryProject) throws -> URL {
        switch target {
        case .output(let stage, let file): return try entry(p, stage).appendingPathComponent("out/" + file)
        case .manifest(let stage): return try entry(p, stage).appendingPathComponent("manifest.json")
        case .hashCache: return p.store.appendingPathComponent("hash-cache.tsv")
        case .lockFile: return p.root.appendingPathComponent("pipelines/chain.lock")
        case .checkpoint(let file):
            let resume = p.store.appendingPathComponent("tmp/resume")
            let keys = try FileManager.default.contentsOfDirectory(atPath: resume.path)
                .filter { FileManager.default.fileExists(atPath: resume.path + "/" + $0 + "/checkpoint") }
            let k = try #require(keys.first, "the killed run left no checkpoint")
            return resume.appendingPathComponent("\(k)/checkpoint/\(file)")
        case .datasetCache(let file):
            let root = p.store.appendingPathComponent("datasets")
            let files = try #require(FileManager.default.subpaths(atPath: root.path))
            let match = try #require(files.sorted().first { $0.hasSuffix("/" + file) && !$0.hasPrefix("tmp/") })
            return root.appendingPathComponent(match)
        }
    }

    static func damage(_ url: URL, _ damage: Damage) throws {
        switch damage {
        case .delete: try FileManager.default.removeItem(at: url)
        case .truncate:
            let bytes = try Data(contentsOf: url)
            try bytes.prefix(bytes.count / 2).write(to: url)
        case .flip:
            var bytes = try Data(contentsOf: url)
            // A digit near the end: inside a hash or a number, so the file still parses where it can
            // (the hardest case: plausible but wrong); binary files get their middle byte flipped.
            let text = String(decoding: bytes, as: UTF8.self)
            let digit = text.utf8.indices.reversed().first { (0x30...0x38).contains(text.utf8[$0]) }
            let index = url.pathExtension == "f32" || url.pathExtension == "bin" || url.pathExtension == "safetensors" || digit == nil
                ? bytes.count / 2 : text.utf8.distance(from: text.utf8.startIndex, to: digit!)
            bytes[index] ^= 0x01
            try bytes.write(to: url)
        }
    }

    @Test(arguments: cases)
    func damageIsReportedAndRecomputed(_ c: Case) throws {
        let fixtures = try Self.fixtures.get()
        let source = if case .checkpoint = c.target { fixtures.killed } else { fixtures.finished }
        let p = try Self.copy(source)
        if let stage = c.recompute { try FileManager.default.removeItem(at: try Self.entry(p, stage)) }
        let url = try Self.resolve(c.target, in: p)
        try Self.damage(url, c.damage)
        var reports = ""
        if c.verifyFirst {
            let verify = try CommandRunner.run(["verify"], in: p.root)
            #expect(verify.status == 1, "verify missed the damage: \(verify.stdout)")
            reports += verify.stdout + verify.stderr
        }
        let run = try CommandRunner.run(["run", "pipelines/chain.yaml", "--log-format", "json"], in: p.root)
        #expect(run.status == 0, "\(run.stderr)")
        reports += run.stdout + run.stderr
        #expect(reports.contains(c.mentions), "no report names \(c.mentions):\n\(reports)")
        if case .checkpoint = c.target {
            #expect(reports.contains("training from step 0"), "\(reports)")
            #expect(!reports.contains("resumed from step"))
        }
        let verify = try CommandRunner.run(["verify"], in: p.root)
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(try Self.modelBytes(p) == fixtures.referenceModel)
    }
}
