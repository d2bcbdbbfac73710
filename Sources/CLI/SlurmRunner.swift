import JSONText
import Foundation
import Orchestration
import Recipes
import Stages
#if canImport(Glibc)
import Glibc
#endif

/// `lathe run --executor slurm`: each stage the executor starts becomes one `sbatch` job running
/// `lathe run-stage` on a compute node against the same (shared) store and project paths. The job writes
/// the stage's outputs into the executor's work folder; this process polls `squeue` / `scontrol show job`
/// (no accounting needed), streams the job's progress lines, and hands the outcome back to the executor,
/// which publishes as for a local stage. On Ctrl-C the job is `scancel`led and nothing is published.
///
/// Resources (``job(for:)``): `--cpus-per-task` from the stage's `threads:` (default 1), `--ntasks` from
/// its `ranks:` (then the job runs `mpirun -np ranks lathe run-stage`), `--mem` from the stage's memory
/// estimate (``StageMemoryEstimate``) × ranks plus `slurm.mem_margin`, or `slurm.mem`; partition,
/// account, time limit and extra arguments from ``RunSettings``.
struct SlurmRunner: StageRunner {
    let recipe: Recipe
    let recipePath: String
    let projectRoot: URL
    let overrides: [String]
    let settings: RunSettings
    /// The `lathe` binary the job runs (the one running now; on a cluster it sits on the shared path).
    let lathe: String
    /// Seconds between polls of the job's state.
    var pollInterval: Double = 0.25

    /// Marks a progress line in the job's log (`run-stage` prints one per event).
    static let eventPrefix = "@lathe-event "

    /// What one stage's job asks Slurm for.
    struct Job: Equatable {
        var cpusPerTask: Int
        var ranks: Int
        var memoryMiB: Int
        /// Where `memoryMiB` comes from, for the dry run and error messages.
        var memoryReason: String
        /// The sbatch options, without `--parsable`, `--output`, `--chdir` and the script.
        var options: [String]
    }

    /// The resources of `stage`'s job. O(length of its `from:` chain).
    func job(for stage: String) -> Job {
        let recipeStage = recipe.stage(named: stage)
        let cpus = threads(of: stage) ?? 1
        let ranks = recipeStage?.params.training?.ranks ?? 1
        let estimate = recipeStage.flatMap { StageMemoryEstimate.bytesPerRank(of: $0, recipe: recipe, root: projectRoot) }
        var (mib, why) = settings.jobMemory(estimateBytes: estimate.map { $0 * Double(ranks) })
        if ranks > 1, settings.memoryMiB == nil, estimate != nil { why += " (\(ranks) ranks on one node)" }
        var options = ["--job-name", "lathe-\(stage)", "--ntasks", String(ranks), "--cpus-per-task", String(cpus), "--mem", "\(mib)M"]
        if let p = settings.partition { options += ["--partition", p] }
        if let a = settings.account { options += ["--account", a] }
        if let t = settings.time { options += ["--time", t] }
        options += settings.extraArguments
        return Job(cpusPerTask: cpus, ranks: ranks, memoryMiB: mib, memoryReason: why, options: options)
    }

    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        let work = context.outputDirectory.deletingLastPathComponent()
        let log = work.appendingPathComponent("slurm.log")
        let outcomeFile = work.appendingPathComponent("outcome.json")
        let job = job(for: spec.name)
        var command = [lathe, "run-stage", recipePath, "--store", context.storeRoot.path, "--stage", spec.name, "--key", context.key,
                       "--out", context.outputDirectory.path, "--resume", context.resumeDirectory.path, "--outcome", outcomeFile.path]
        for value in overrides { command += ["--set", value] }
        for (name, url) in context.upstreamOutputs.sorted(by: { $0.key < $1.key }) { command += ["--upstream", "\(name)=\(url.path)"] }
        if job.ranks > 1 {
            // Open MPI's mpirun reads the allocation's nodes and slots from Slurm; threads stay unbound.
            command = ["mpirun", "-np", String(job.ranks), "--bind-to", "none"] + (getuid() == 0 ? ["--allow-run-as-root"] : []) + command
        }
        let script = "#!/bin/sh\nexec " + command.map(SlurmRunner.shellQuoted).joined(separator: " ") + "\n"
        let scriptURL = work.appendingPathComponent("job.sh")
        try Data(script.utf8).write(to: scriptURL)

        let sbatch = ["--parsable", "--output", log.path, "--chdir", context.projectRoot.path] + job.options
        let submitted = try SlurmRunner.tool("sbatch", sbatch + [scriptURL.path])
        guard submitted.status == 0, let jobID = submitted.output.split(separator: ";").first.map(String.init)?.trimmingCharacters(in: .whitespacesAndNewlines),
              !jobID.isEmpty else {
            throw StageError.invalidInput("sbatch refused the job (--mem \(job.memoryMiB)M from \(job.memoryReason); --ntasks \(job.ranks); "
                + "--cpus-per-task \(job.cpusPerTask)): \(submitted.output.trimmingCharacters(in: .whitespacesAndNewlines)). "
                + "A node must offer that much: `sinfo -o '%N %c %m'` lists CPUs and MiB per node. Lower micro_batch_size, sequence_len, "
                + "threads or ranks, set slurm.mem, or check slurm.partition, slurm.account and slurm.time.")
        }
        context.report(.note("submitted as Slurm job \(jobID)"))

        var offset: UInt64 = 0
        var pending = ""
        func stream() {
            guard let handle = try? FileHandle(forReadingFrom: log) else { return }
            defer { try? handle.close() }
            try? handle.seek(toOffset: offset)
            let data = handle.readDataToEndOfFile()
            offset += UInt64(data.count)
            pending += String(decoding: data, as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                let line = String(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.hasPrefix(SlurmRunner.eventPrefix), let event = StageEventLine.decode(String(line.dropFirst(SlurmRunner.eventPrefix.count))) {
                    context.report(event)
                }
            }
        }
        while true {
            if context.isCancelled() {
                _ = try? SlurmRunner.tool("scancel", [jobID])
                throw StageCancelled()
            }
            stream()
            let state = try SlurmRunner.state(of: jobID)
            if let state, SlurmRunner.terminal.contains(state.name) {
                stream()
                if state.name == "COMPLETED", let outcome = StageEventLine.decodeOutcome(outcomeFile) {
                    try? FileManager.default.removeItem(at: outcomeFile)
                    for name in ["job.sh", "slurm.log"] { try? FileManager.default.removeItem(at: work.appendingPathComponent(name)) }
                    return outcome
                }
                let tail = SlurmRunner.tail(log, lines: 15)
                throw StageError.invalidInput("Slurm job \(jobID) ended \(state.name) (exit code \(state.exitCode)); the last lines of its log:\n\(tail)")
            }
            Thread.sleep(forTimeInterval: pollInterval)
        }
    }

    /// The stage's `threads:` key, if set.
    func threads(of stage: String) -> Int? {
        switch recipe.stage(named: stage)?.params {
        case .tokenize(let p): p.threads
        case .training(let p): p.threads
        case .adapters(let p): p.training.threads
        case .classify(let p): p.training.threads
        case .evaluate(let p): p.threads
        case nil: nil
        }
    }

    static let terminal: Set<String> = ["COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE"]

    /// The job's state from `squeue`, else (once it left the queue) from `scontrol show job`; nil when
    /// neither knows it yet.
    static func state(of job: String) throws -> (name: String, exitCode: String)? {
        let queue = try tool("squeue", ["-h", "-j", job, "-o", "%T"])
        let name = queue.output.trimmingCharacters(in: .whitespacesAndNewlines)
        if queue.status == 0, !name.isEmpty, !terminal.contains(name) { return (name, "") }
        let shown = try tool("scontrol", ["show", "job", "-o", job])
        guard shown.status == 0 else { return nil }
        var fields: [String: String] = [:]
        for part in shown.output.split(whereSeparator: { $0 == " " || $0 == "\n" }) {
            if let eq = part.firstIndex(of: "=") { fields[String(part[..<eq])] = String(part[part.index(after: eq)...]) }
        }
        guard let jobState = fields["JobState"] else { return nil }
        return (jobState, fields["ExitCode"] ?? "?")
    }

    /// Runs a Slurm command; its standard output and error together.
    static func tool(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            throw StageError.invalidInput("cannot run \(name) (\(error.localizedDescription)); is Slurm installed? (scripts/setup.sh, scripts/start-slurm.sh)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 {
            throw StageError.invalidInput("\(name) is not installed; `--executor slurm` needs Slurm's client tools (scripts/setup.sh).")
        }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func tail(_ file: URL, lines: Int) -> String {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? "(no log)"
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix(eventPrefix) }.suffix(lines).joined(separator: "\n")
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

extension SlurmRunner {
    /// What `lathe run --dry-run` prints under executor slurm: the sbatch options of every stage that would
    /// run, with where its `--mem` comes from.
    func describe(_ plan: [Planner.PlannedStage]) -> String {
        var text = "\nSlurm: one sbatch job per stage that runs\n"
        var any = false
        for stage in plan {
            switch stage.action {
            case .run, .pendingUpstream: break
            default: continue
            }
            any = true
            let job = job(for: stage.name)
            text += "  \(stage.name): sbatch " + job.options.joined(separator: " ") + " (mem: \(job.memoryReason))"
                + (job.ranks > 1 ? "; runs mpirun -np \(job.ranks)" : "") + "\n"
        }
        return any ? text : "\nSlurm: no stage would run, so no job would be submitted\n"
    }
}
