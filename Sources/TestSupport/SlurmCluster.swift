import Foundation

/// The one-node Slurm the executor tests submit to, started (idempotently) by `scripts/start-slurm.sh`.
/// A test that cannot get it fails (``Failure``), never skips.
public enum SlurmCluster {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Runs `scripts/start-slurm.sh`, which returns once `sinfo` shows the node idle.
    public static func ensureRunning() throws {
        let script = CommandRunner.packageRoot.appendingPathComponent("scripts/start-slurm.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "scripts/start-slurm.sh failed (exit \(process.terminationStatus)): \(output)")
        }
    }

    /// States of the queued jobs whose name starts with `prefix` (`squeue -h -o "%j %T"`).
    public static func jobStates(prefix: String) -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["squeue", "-h", "-o", "%j %T"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [] }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, parts[0].hasPrefix(prefix) else { return nil }
            return String(parts[1])
        }
    }
}
