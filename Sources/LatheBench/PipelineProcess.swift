import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Whole-process timing with the method of `shared/bench/pipelines/bench.py` (the DVC figures' timer):
/// monotonic wall clock around spawn…reap, CPU and peak RSS from `wait4`'s rusage, stdout/stderr to
/// /dev/null, and the "foreign" load (CPU the rest of the machine burned per wall second, /proc/stat).
enum PipelineProcessTimer {
    struct Run {
        var wall: Double
        var cpu: Double
        var peakMiB: Double
        var exitCode: Int32
        var foreign: Double
    }

    struct Stats {
        var runs: [Run]
        var wallMedian: Double { pipelineMedian(runs.map(\.wall)) }
        var wallMin: Double { runs.map(\.wall).min() ?? .nan }
        var wallMax: Double { runs.map(\.wall).max() ?? .nan }
        var cpuMedian: Double { pipelineMedian(runs.map(\.cpu)) }
        var peakMedian: Double { pipelineMedian(runs.map(\.peakMiB)) }
        var foreignMedian: Double { pipelineMedian(runs.map(\.foreign)) }
        var exitCodes: [Int32] { runs.map(\.exitCode) }
    }

    /// `warmup` uncounted runs, then `count` counted ones.
    static func measure(_ argv: [String], cwd: String, count: Int, warmup: Int) throws -> Stats {
        for _ in 0..<warmup { _ = try once(argv, cwd: cwd) }
        return Stats(runs: try (0..<count).map { _ in try once(argv, cwd: cwd) })
    }

    static func once(_ argv: [String], cwd: String) throws -> Run {
        let busy0 = machineBusySeconds()
        let t0 = PipelineClock.now()
        let pid = try spawn(argv, cwd: cwd, output: "/dev/null")
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw PipelineBenchError("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let wall = PipelineClock.now() - t0
        let busy = machineBusySeconds() - busy0
        let cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        let code: Int32 = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Run(wall: wall, cpu: cpu, peakMiB: Double(usage.ru_maxrss) / 1024, exitCode: code,
                   foreign: wall > 0 ? max(0, (busy - cpu) / wall) : 0)
    }

    /// posix_spawn with stdin from /dev/null and stdout+stderr to `output`, in `cwd`.
    static func spawn(_ argv: [String], cwd: String, output: String) throws -> pid_t {
        // posix_spawn has no portable chdir action: change ours around the spawn (the bench is
        // single-threaded here), so no shell sits between the timer and the command.
        let full = argv
        let previous = FileManager.default.currentDirectoryPath
        guard chdir(cwd) == 0 else { throw PipelineBenchError("cannot enter \(cwd): \(String(cString: strerror(errno)))") }
        defer { _ = chdir(previous) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var cargs: [UnsafeMutablePointer<CChar>?] = full.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, full[0], &actions, nil, &cargs, environ)
        guard rc == 0 else { throw PipelineBenchError("cannot start \(argv.joined(separator: " ")): \(String(cString: strerror(rc)))") }
        return pid
    }

    /// Runs to completion; returns the exit code (output to `output`).
    static func runQuietly(_ argv: [String], cwd: String, output: String = "/dev/null") throws -> Int32 {
        let pid = try spawn(argv, cwd: cwd, output: output)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw PipelineBenchError("waitpid failed: \(String(cString: strerror(errno)))") }
        }
        return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    }

    static func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }

    /// CPU-seconds the whole machine has been busy (user+nice+system+irq+softirq+steal), like bench.py.
    static func machineBusySeconds() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first else { return .nan }
        let v = line.split(separator: " ").dropFirst().prefix(8).compactMap { Double($0) }
        guard v.count == 8 else { return .nan }
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz
    }
}

func pipelineMedian(_ xs: [Double]) -> Double {
    guard !xs.isEmpty else { return .nan }
    let s = xs.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
