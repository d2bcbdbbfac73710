import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `lathe-bench pipelines …`: the runner benchmark of issue #2. Prints one JSON object per line.
///
///     lathe-bench pipelines gen N DIR [--bytes B]       project with N stages, B bytes of text each (1 MiB)
///     lathe-bench pipelines seed DIR                    run every stage once through the real Executor
///     lathe-bench pipelines time DIR --lathe PATH [--runs 5] [--warmup 1]
///                                                       no-op `lathe run` and `lathe status`, whole process,
///                                                       plus the no-op write/read checks
///     lathe-bench pipelines hash [--size-mib 1024] [--dir /tmp] [--repeats 3]
///     lathe-bench pipelines all --lathe PATH [--work DIR] [--ns 10,100,1000] [--runs 5] [--size-mib 1024]
///
/// Exit status 0, or 1 with a message on standard error when a step fails or a check does not hold.
enum PipelineBench {
    static let usage = """
        usage: lathe-bench pipelines gen N DIR [--bytes B]
               lathe-bench pipelines seed DIR
               lathe-bench pipelines time DIR --lathe PATH [--runs 5] [--warmup 1]
               lathe-bench pipelines hash [--size-mib 1024] [--dir /tmp] [--repeats 3]
               lathe-bench pipelines all --lathe PATH [--work DIR] [--ns 10,100,1000] [--runs 5] [--size-mib 1024]
        """

    static func main(_ arguments: [String]) -> Never {
        do {
            try dispatch(arguments)
            exit(0)
        } catch {
            FileHandle.standardError.write(Data("lathe-bench pipelines: \(error)\n".utf8))
            exit(1)
        }
    }

    static func dispatch(_ arguments: [String]) throws {
        let options = PipelineOptions(arguments.dropFirst())
        switch arguments.first {
        case "gen":
            let n = try options.positionalInt(0, "N")
            let dir = try options.positional(1, "DIR")
            try gen(n: n, dir: dir, bytes: try options.int("--bytes", default: 1 << 20))
        case "seed":
            try seed(dir: try options.positional(0, "DIR"))
        case "time":
            try time(dir: try options.positional(0, "DIR"), lathe: try options.required("--lathe"),
                     runs: try options.int("--runs", default: 5), warmup: try options.int("--warmup", default: 1))
        case "hash":
            try hash(sizeMiB: try options.int("--size-mib", default: 1024), dir: options.string("--dir") ?? "/tmp",
                     repeats: try options.int("--repeats", default: 3))
        case "all":
            let work = options.string("--work") ?? "/tmp/lathe-bench-pipelines"
            let ns = try (options.string("--ns") ?? "10,100,1000").split(separator: ",").map { part in
                guard let n = Int(part) else { throw PipelineBenchError("--ns wants numbers like 10,100,1000; got '\(part)'.") }
                return n
            }
            let lathe = try options.required("--lathe")
            let runs = try options.int("--runs", default: 5)
            let sizeMiB = try options.int("--size-mib", default: 1024)
            if FileManager.default.fileExists(atPath: work) { try FileManager.default.removeItem(atPath: work) }
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            for n in ns {
                let dir = work + "/p\(n)"
                try gen(n: n, dir: dir, bytes: 1 << 20)
                try seed(dir: dir)
                try time(dir: dir, lathe: lathe, runs: runs, warmup: 1)
            }
            if sizeMiB > 0 { try hash(sizeMiB: sizeMiB, dir: work, repeats: 3) }
        default:
            throw PipelineBenchError(usage)
        }
    }

    static func gen(n: Int, dir: String, bytes: Int) throws {
        let t0 = PipelineClock.now()
        let total = try PipelineProject.write(stages: n, to: URL(fileURLWithPath: dir), bytesPerStage: bytes)
        var line = PipelineJSONLine("gen")
        line.add("n_stages", n)
        line.add("dir", dir)
        line.add("data_bytes", total)
        line.add("seconds", PipelineClock.now() - t0, digits: 3)
        line.emit()
    }

    static func seed(dir: String) throws {
        let r = try PipelineSeeder.seed(projectDirectory: URL(fileURLWithPath: dir))
        var line = PipelineJSONLine("seed")
        line.add("n_stages", r.stages)
        line.add("input_hash_s", r.inputHashSeconds, digits: 3)
        line.add("input_mib_per_s", Double(r.inputBytes) / 1_048_576 / r.inputHashSeconds, digits: 1)
        line.add("executor_s", r.executorSeconds, digits: 3)
        line.add("bookkeeping_ms_per_stage", r.executorSeconds * 1000 / Double(r.stages), digits: 3)
        line.add("stage_ms_median", pipelineMedian(r.stageSeconds) * 1000, digits: 3)
        line.add("stage_ms_max", (r.stageSeconds.max() ?? .nan) * 1000, digits: 3)
        line.add("verify_inprocess_noop_s", r.verifySeconds, digits: 4)
        line.add("verify_up_to_date", r.verifyUpToDate)
        line.add("verify_lock_rewritten", r.verifyLockWritten)
        line.emit()
        guard r.verifyUpToDate == r.stages, !r.verifyLockWritten else {
            throw PipelineBenchError("after seeding, an in-process rerun found \(r.verifyUpToDate) of \(r.stages) stages up to date "
                + "(lock rewritten: \(r.verifyLockWritten)); the seeded state is not what a real run leaves.")
        }
    }

    static func time(dir: String, lathe: String, runs: Int, warmup: Int) throws {
        guard let real = realpath(dir, nil) else { throw PipelineBenchError("\(dir): \(String(cString: strerror(errno)))") }
        let project = String(cString: real)
        free(real)
        let latheReal = lathe.hasPrefix("/") ? lathe : FileManager.default.currentDirectoryPath + "/" + lathe
        let n = PipelineProject.stageCount(inRecipeAt: project + "/" + PipelineProject.recipeRelativePath)
        let commands: [(op: String, argv: [String])] = [
            ("noop_run", [latheReal, "run", PipelineProject.recipeRelativePath]),
            ("status", [latheReal, "status", PipelineProject.recipeRelativePath]),
        ]
        var failures: [String] = []
        for command in commands {
            let before = PipelineNoOpCheck.snapshot(project)
            let stats = try PipelineProcessTimer.measure(command.argv, cwd: project, count: runs, warmup: warmup)
            let diff = PipelineNoOpCheck.compare(before, PipelineNoOpCheck.snapshot(project))
            let trace = PipelineNoOpCheck.trace(command.argv, project: project, scratch: NSTemporaryDirectory())
            var line = PipelineJSONLine(command.op)
            line.add("n_stages", n)
            line.add("command", "lathe " + command.argv.dropFirst().joined(separator: " "))
            line.add("runs", runs)
            line.add("warmup", warmup)
            line.add("wall_s_median", stats.wallMedian)
            line.add("wall_s_min", stats.wallMin)
            line.add("wall_s_max", stats.wallMax)
            line.add("cpu_s_median", stats.cpuMedian)
            line.add("peak_rss_mib_median", stats.peakMedian, digits: 1)
            line.add("foreign_cores_median", stats.foreignMedian, digits: 2)
            line.add("exit_codes", stats.exitCodes)
            line.add("files_changed", diff.changed.count)
            line.add("files_added", diff.added.count)
            line.add("files_removed", diff.removed.count)
            line.add("wrote_nothing", diff.total == 0)
            if diff.total > 0 { line.add("first_differences", Array((diff.changed + diff.added + diff.removed).prefix(5))) }
            line.add("strace", trace.available)
            if trace.available {
                line.add("files_opened", trace.opened)
                line.add("data_files_opened", trace.dataFilesOpened.count)
                line.add("manifests_opened", trace.manifestsOpened)
                line.add("opened_with_write_flags", trace.openedForWrite)
            } else {
                line.add("strace_note", trace.note)
            }
            line.emit()
            if stats.exitCodes.contains(where: { $0 != 0 }) { failures.append("\(command.op) exit codes \(stats.exitCodes)") }
            if diff.total > 0 { failures.append("\(command.op) changed \(diff.total) files") }
            if !trace.dataFilesOpened.isEmpty { failures.append("\(command.op) opened \(trace.dataFilesOpened.count) data files") }
        }
        guard failures.isEmpty else {
            throw PipelineBenchError("no-op checks failed at \(project): " + failures.joined(separator: "; "))
        }
    }

    static func hash(sizeMiB: Int, dir: String, repeats: Int) throws {
        let r = try PipelineHashBench.run(sizeMiB: sizeMiB, directory: dir, repeats: repeats)
        var line = PipelineJSONLine("hash")
        line.add("file_mib", sizeMiB)
        line.add("repeats", repeats)
        line.add("lathe_s", r.latheSeconds)
        line.add("sha256sum_s", r.sha256sumSeconds)
        line.add("lathe_mib_per_s", r.latheMiBs, digits: 1)
        line.add("sha256sum_mib_per_s", r.sha256sumMiBs, digits: 1)
        line.add("ratio", r.latheMiBs / r.sha256sumMiBs, digits: 3)
        line.add("digests_match", r.digestsMatch)
        line.emit()
        guard r.digestsMatch else { throw PipelineBenchError("ContentHasher and sha256sum disagree on the test file.") }
    }
}

/// Positional arguments and `--name value` options.
struct PipelineOptions {
    private var positionals: [String] = []
    private var named: [String: String] = [:]

    init(_ arguments: ArraySlice<String>) {
        var it = arguments.makeIterator()
        while let a = it.next() {
            if a.hasPrefix("--") { named[a] = it.next() ?? "" } else { positionals.append(a) }
        }
    }

    func positional(_ i: Int, _ name: String) throws -> String {
        guard i < positionals.count else { throw PipelineBenchError("missing \(name).\n" + PipelineBench.usage) }
        return positionals[i]
    }

    func positionalInt(_ i: Int, _ name: String) throws -> Int {
        let text = try positional(i, name)
        guard let value = Int(text) else { throw PipelineBenchError("\(name) must be a whole number; got '\(text)'.") }
        return value
    }

    func string(_ name: String) -> String? { named[name] }

    func required(_ name: String) throws -> String {
        guard let v = named[name], !v.isEmpty else { throw PipelineBenchError("missing \(name).\n" + PipelineBench.usage) }
        return v
    }

    func int(_ name: String, default value: Int) throws -> Int {
        guard let text = named[name] else { return value }
        guard let v = Int(text) else { throw PipelineBenchError("\(name) must be a whole number; got '\(text)'.") }
        return v
    }
}
