import Foundation
import Orchestration
#if canImport(Glibc)
import Glibc
#endif

/// Hashing throughput: `ContentHasher.hashFile` (what the store and hash memo use) against coreutils
/// `sha256sum` on the same generated file, page cache warm, median of `repeats` each. The file is
/// deleted afterwards.
enum PipelineHashBench {
    struct Result {
        var bytes: Int
        var latheSeconds: [Double]
        var sha256sumSeconds: [Double]
        var digestsMatch: Bool
        var mib: Double { Double(bytes) / 1_048_576 }
        var latheMiBs: Double { mib / pipelineMedian(latheSeconds) }
        var sha256sumMiBs: Double { mib / pipelineMedian(sha256sumSeconds) }
    }

    static func run(sizeMiB: Int, directory: String, repeats: Int) throws -> Result {
        let path = directory + "/lathe-bench-hash-\(getpid()).bin"
        defer { unlink(path) }
        try writeRandomFile(path, bytes: sizeMiB << 20)
        // Warm the page cache (and fail early if the file is unreadable).
        _ = try ContentHasher.hashFile(atPath: path)

        var latheDigest = ""
        var lathe: [Double] = []
        for _ in 0..<repeats {
            let t0 = PipelineClock.now()
            latheDigest = try ContentHasher.hashFile(atPath: path)
            lathe.append(PipelineClock.now() - t0)
        }
        let out = directory + "/lathe-bench-sha256sum-\(getpid()).txt"
        defer { unlink(out) }
        var tool: [Double] = []
        for _ in 0..<repeats {
            let t0 = PipelineClock.now()
            let code = try PipelineProcessTimer.runQuietly(["sha256sum", path], cwd: directory, output: out)
            tool.append(PipelineClock.now() - t0)
            guard code == 0 else { throw PipelineBenchError("sha256sum exited \(code)") }
        }
        let toolDigest = (try? String(contentsOfFile: out, encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? ""
        return Result(bytes: sizeMiB << 20, latheSeconds: lathe, sha256sumSeconds: tool, digestsMatch: toolDigest == latheDigest)
    }

    /// Pseudo-random bytes (SplitMix64), written in 8 MiB blocks.
    static func writeRandomFile(_ path: String, bytes: Int) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw PipelineBenchError("cannot create \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var generator = PipelineTextGenerator(seed: 0xB16F11E)
        let block = 8 << 20
        var buffer = [UInt64](repeating: 0, count: block / 8)
        var left = bytes
        while left > 0 {
            for i in buffer.indices { buffer[i] = generator.next() }
            let n = min(left, block)
            let written = buffer.withUnsafeBytes { write(fd, $0.baseAddress, n) }
            guard written == n else { throw PipelineBenchError("short write to \(path): \(String(cString: strerror(errno)))") }
            left -= n
        }
    }
}
