import Foundation
import Testing
import TestSupport

/// Where a run's executor and Slurm options come from (command line, environment, recipe, project and
/// user config files), `--mem` from the stage's memory estimate and `--ntasks` from `ranks:`, on the
/// real one-node Slurm of scripts/start-slurm.sh.
@Suite(.serialized) struct CLISlurmResourceTests {
    /// A tokenize stage and a tiny model trained from scratch on `ranks` ranks; `model` replaces its shape.
    static func recipe(_ tag: String, ranks: Int = 1, model: String = "{n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32}", extra: String = "") -> String {
        """
        name: res
        seed: 1
        \(extra)
        stages:
          \(tag)_tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
          \(tag)_lm: {kind: pretrain-continue, from: scratch, tokenizer: \(tag)_tok, model: \(model),
                      datasets: [{path: data/a.txt, type: completion}], sequence_len: 16, max_steps: 3,
                      micro_batch_size: 1, gradient_accumulation_steps: 2, ranks: \(ranks), threads: 1}
        """
    }

    func project(_ recipe: String) -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n", count: 60))
        p.write("pipelines/res.yaml", recipe)
        return p
    }

    /// stage → key from a lock file.
    func keys(_ p: TemporaryProject) throws -> [String: String] {
        let data = try #require(p.read("pipelines/res.lock")).data(using: .utf8)!
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        return (json["stages"] as! [String: [String: Any]]).mapValues { $0["key"] as! String }
    }

    /// The `lathe-<stage>` line of a dry run's Slurm block.
    func jobLine(_ output: String, _ stage: String) -> String {
        output.split(separator: "\n").first { $0.hasPrefix("  \(stage): sbatch") }.map(String.init) ?? "(no line for \(stage))"
    }

    @Test("the dry run shows each job's sbatch options: --mem from the estimate, config files stacked by precedence")
    func dryRunShowsJobs() throws {
        let p = project(Self.recipe("dry", ranks: 2))
        let user = p.root.appendingPathComponent("home-config")
        p.write("home-config/lathe/config.yaml", "executor: slurm\nslurm: {mem_fallback: 1000, time: \"10\", partition: user-part}\n")
        p.write(".lathe/config.yaml", "slurm: {mem_fallback: 1500, partition: team-part}\n")
        let env = ["XDG_CONFIG_HOME": user.path]
        let r = try CommandRunner.run(["run", "pipelines/res.yaml", "--dry-run"], in: p.root, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let tok = jobLine(r.stdout, "dry_tok"), lm = jobLine(r.stdout, "dry_lm")
        // tokenize has no estimate: the project's mem_fallback beats the user's; time comes from the user config
        #expect(tok.contains("--ntasks 1 --cpus-per-task 1 --mem 1500M --partition team-part --time 10"), "\(tok)")
        #expect(tok.contains("no estimate for this stage"), "\(tok)")
        // a model trained from scratch has one: per rank, times 2 ranks, plus the margin and the process overhead
        #expect(lm.contains("--ntasks 2") && lm.contains("(mem: estimate") && lm.contains("(2 ranks on one node)"), "\(lm)")
        #expect(lm.contains("runs mpirun -np 2"), "\(lm)")
        let mib = try #require(lm.split(separator: " ").drop { $0 != "--mem" }.dropFirst().first.flatMap { Int($0.dropLast()) })
        #expect(mib > 512 && mib < 1024, "\(lm)")
        // the recipe beats the config files, the command line beats the recipe
        p.write("pipelines/res.yaml", Self.recipe("dry", ranks: 2, extra: "slurm: {partition: recipe-part}"))
        let overridden = try CommandRunner.run(["run", "pipelines/res.yaml", "--dry-run", "--slurm-mem", "700"], in: p.root, environment: env)
        #expect(jobLine(overridden.stdout, "dry_tok").contains("--mem 700M --partition recipe-part"), "\(overridden.stdout)")
        #expect(jobLine(overridden.stdout, "dry_lm").contains("--mem 700M") && overridden.stdout.contains("(mem: slurm.mem (--slurm-mem))"))
        // and --executor local turns the Slurm block off
        let local = try CommandRunner.run(["run", "pipelines/res.yaml", "--dry-run", "--executor", "local"], in: p.root, environment: env)
        #expect(local.status == 0 && !local.stdout.contains("sbatch"), "\(local.stdout)")
        let fromEnv = try CommandRunner.run(["run", "pipelines/res.yaml", "--dry-run"], in: p.root, environment: env.merging(["LATHE_EXECUTOR": "local"]) { $1 })
        #expect(fromEnv.status == 0 && !fromEnv.stdout.contains("sbatch"), "\(fromEnv.stdout)")
    }

    @Test("a bad config file or LATHE_EXECUTOR stops the run with exit 64, naming the file, line and column")
    func badConfigExits64() throws {
        let p = project(Self.recipe("bad"))
        p.write("home-config/lathe/config.yaml", "executor: slurm\nslurm:\n  mem: lots\n")
        let env = ["XDG_CONFIG_HOME": p.root.appendingPathComponent("home-config").path]
        let r = try CommandRunner.run(["run", "pipelines/res.yaml"], in: p.root, environment: env)
        #expect(r.status == 64)
        #expect(r.stderr.contains("home-config/lathe/config.yaml:3:8") && r.stderr.contains("'mem' in 'slurm' of the config file must be an integer"), "\(r.stderr)")
        #expect(p.read("pipelines/res.lock") == nil)
        p.write(".lathe/config.local.yaml", "remote: https://me:secret@cache.example/x\n")
        let creds = try CommandRunner.run(["run", "pipelines/res.yaml", "--dry-run"], in: p.root)
        #expect(creds.status == 64 && creds.stderr.contains(".lathe/config.local.yaml:1:9") && !creds.stderr.contains("secret@"), "\(creds.stderr)")
        p.write(".lathe/config.local.yaml", "")
        let env2 = try CommandRunner.run(["run", "pipelines/res.yaml", "--dry-run"], in: p.root, environment: ["LATHE_EXECUTOR": "slrum"])
        #expect(env2.status == 64 && env2.stderr.contains("LATHE_EXECUTOR must be 'local' or 'slurm', got 'slrum'"), "\(env2.stderr)")
    }

    @Test("executor: slurm in the project config submits jobs; a stage with ranks: 2 runs as one 2-task job under mpirun with a local run's key")
    func ranksRunAsTasks() throws {
        try SlurmCluster.ensureRunning()
        let p = project(Self.recipe("mpi", ranks: 2))
        p.write(".lathe/config.yaml", "executor: slurm\n")
        let r = try CommandRunner.run(["run", "pipelines/res.yaml", "--log-format", "json"], in: p.root)
        #expect(r.status == 0, "\(r.stderr)")
        let jobs = r.stdout.components(separatedBy: "submitted as Slurm job ").dropFirst().compactMap { $0.prefix { $0.isNumber }.isEmpty ? nil : String($0.prefix { $0.isNumber }) }
        #expect(jobs.count == 2, "\(r.stdout)")
        let shown = try #require(jobs.last.map { job in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["scontrol", "show", "job", "-o", job]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return text
        })
        #expect(shown.contains("JobName=lathe-mpi_lm") && shown.contains("NumTasks=2") && shown.contains("JobState=COMPLETED"), "\(shown)")
        // the same recipe run locally in one process has the same stage keys (ranks is not part of them)
        let local = project(Self.recipe("mpi", ranks: 1))
        #expect(try CommandRunner.run(["run", "pipelines/res.yaml"], in: local.root).status == 0)
        #expect(try keys(p) == keys(local))
        #expect(try CommandRunner.run(["verify"], in: p.root).status == 0)
    }

    @Test("a stage whose memory estimate exceeds every node is refused by Slurm, and the message says why and what to change")
    func tooBigForTheNode() throws {
        try SlurmCluster.ensureRunning()
        // about 6.4 billion parameters: 16 bytes each for weights, gradients and AdamW moments is ~100 GB
        let p = project(Self.recipe("big", model: "{n_layer: 32, n_head: 32, n_embd: 4096, n_positions: 32}"))
        let r = try CommandRunner.run(["run", "pipelines/res.yaml", "--executor", "slurm"], in: p.root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("big_lm failed: sbatch refused the job (--mem "), "\(r.stderr)")
        #expect(r.stderr.contains("from estimate") && r.stderr.contains("Lower micro_batch_size"), "\(r.stderr)")
        // the tokenize stage before it ran as a job and was published
        #expect(try keys(p)["big_tok"] != nil)
    }
}
