public import Foundation

/// Runs the built `lathe` binary as a user would, for end-to-end tests.
public enum CommandRunner {
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String
        /// Whether the process ended by a signal (`status` is then the signal number).
        public let signaled: Bool
    }

    /// The package's root folder (from this file's path).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// `.build/debug/lathe` (or `$LATHE_BIN`).
    public static var latheBinary: URL {
        if let bin = ProcessInfo.processInfo.environment["LATHE_BIN"] { return URL(fileURLWithPath: bin) }
        let debug = packageRoot.appendingPathComponent(".build/debug/lathe")
        return debug
    }

    /// Starts `lathe args…` in `directory` and returns the process (for kill tests).
    public static func start(_ args: [String], in directory: URL, environment: [String: String] = [:],
                             stdout: Pipe = Pipe(), stderr: Pipe = Pipe()) throws -> Process {
        let p = Process()
        p.executableURL = latheBinary
        p.arguments = args
        p.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["LATHE_STORE"] = nil
        // No config file or executor of the machine running the tests leaks into them (tests set their own).
        env["XDG_CONFIG_HOME"] = "/nonexistent/lathe-tests-config"
        env["LATHE_EXECUTOR"] = nil
        env["LATHE_REMOTE"] = nil
        for (k, v) in environment { env[k] = v }
        p.environment = env
        p.standardOutput = stdout
        p.standardError = stderr
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Reads `pipe` until its text contains `marker` (or `timeout` passes); returns what was read.
    /// Lets a test act at a known moment of a running process instead of after a guessed sleep.
    @discardableResult
    public static func waitFor(_ marker: String, in pipe: Pipe, timeout: Double = 60) -> String {
        let handle = pipe.fileHandleForReading
        var seen = Data()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let chunk = handle.availableData  // blocks until data or end of file
            if chunk.isEmpty { break }
            seen.append(chunk)
            if String(decoding: seen, as: UTF8.self).contains(marker) { break }
        }
        return String(decoding: seen, as: UTF8.self)
    }

    /// Runs to completion (at most `timeout` seconds, then SIGKILL) and captures everything.
    public static func run(_ args: [String], in directory: URL, environment: [String: String] = [:], timeout: Double = 300) throws -> Result {
        let out = Pipe(), err = Pipe()
        let p = try start(args, in: directory, environment: environment, stdout: out, stderr: err)
        // Drain the pipes while waiting so a chatty process never blocks on a full pipe.
        let drain = PipeDrain(out, err)
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let (stdout, stderr) = drain.wait()
        return Result(status: p.terminationStatus, stdout: stdout, stderr: stderr, signaled: p.terminationReason == .uncaughtSignal)
    }
}

/// Reads a process's stdout and stderr pipes to their end on background threads, so a process that
/// writes more than a pipe buffer never blocks while its caller waits for it to exit.
public final class PipeDrain: @unchecked Sendable {
    private final class Box: @unchecked Sendable { var data = Data() }
    private let out = Box(), err = Box()
    private let group = DispatchGroup()

    /// Starts draining `stdout` and `stderr`.
    public init(_ stdout: Pipe, _ stderr: Pipe) {
        for (pipe, box) in [(stdout, out), (stderr, err)] {
            group.enter()
            DispatchQueue.global().async { [group] in
                box.data = pipe.fileHandleForReading.readDataToEndOfFile()
                group.leave()
            }
        }
    }

    /// Blocks until both pipes reach end of file; returns their text.
    public func wait() -> (stdout: String, stderr: String) {
        group.wait()
        return (String(decoding: out.data, as: UTF8.self), String(decoding: err.data, as: UTF8.self))
    }
}
