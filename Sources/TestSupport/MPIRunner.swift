public import Foundation

/// Starts built executables under Open MPI's `mpirun`, as a user on one machine would:
/// `--oversubscribe` (more ranks than cores) and root allowed (CI runs as root).
public enum MPIRunner {
    /// `.build/debug/<name>`.
    public static func binary(_ name: String) -> URL {
        CommandRunner.packageRoot.appendingPathComponent(".build/debug/\(name)")
    }

    /// `mpirun` on the PATH of this process (Debian: /usr/bin/mpirun from openmpi-bin).
    public static var mpirun: URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent("mpirun")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    /// Environment that lets `mpirun` run as root and keeps it off the network.
    public static let environment: [String: String] = [
        "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
        "OMPI_MCA_btl": "self,vader", "OMPI_MCA_btl_vader_single_copy_mechanism": "none",
    ]

    /// Starts `mpirun -np ranks executable args…` (or `executable args…` alone when `ranks` is nil) in
    /// `directory`, for tests that signal it while it runs.
    public static func start(ranks: Int?, _ executable: URL, _ args: [String], in directory: URL? = nil,
                             environment extra: [String: String] = [:], stdout: Pipe = Pipe(), stderr: Pipe = Pipe()) throws -> Process {
        let p = Process()
        if let ranks {
            guard let mpirun else {
                throw CocoaError(.executableNotLoadable, userInfo: [NSLocalizedDescriptionKey: "mpirun is not installed; run scripts/setup.sh (apt-get install openmpi-bin libopenmpi-dev)"])
            }
            // Through `env --default-signal=INT`: a test runner started in the background inherits SIGINT
            // ignored, and so would mpirun, which then could not be interrupted like Ctrl-C does.
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["--default-signal=INT", mpirun.path, "--oversubscribe", "-np", String(ranks), executable.path] + args
        } else {
            p.executableURL = executable
            p.arguments = args
        }
        if let directory { p.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        env["LATHE_STORE"] = nil
        for (k, v) in environment { env[k] = v }
        for (k, v) in extra { env[k] = v }
        p.environment = env
        p.standardOutput = stdout
        p.standardError = stderr
        p.standardInput = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Runs to completion (at most `timeout` seconds, then SIGKILL) and captures everything.
    public static func run(ranks: Int?, _ executable: URL, _ args: [String], in directory: URL? = nil,
                           environment extra: [String: String] = [:], timeout: Double = 120) throws -> CommandRunner.Result {
        let out = Pipe(), err = Pipe()
        let p = try start(ranks: ranks, executable, args, in: directory, environment: extra, stdout: out, stderr: err)
        let drain = PipeDrain(out, err)
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        let (stdout, stderr) = drain.wait()
        return CommandRunner.Result(status: p.terminationStatus, stdout: stdout, stderr: stderr, signaled: p.terminationReason == .uncaughtSignal)
    }
}
