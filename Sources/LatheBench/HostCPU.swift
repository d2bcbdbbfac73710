import Compute
import Foundation

/// What CPU the benchmark ran on, from /proc/cpuinfo: the sgemm peak and every tokens/s figure depend on
/// it (an AVX-512 Zen 4 host and an AVX2-only Zen 3 host differ by ~1.4× in sgemm peak), so results name it.
enum HostCPU {
    /// "model name, family F model M, N CPUs, avx512|avx2|sse, OpenBLAS K kernels", or "unknown" off Linux.
    static func describe() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        func field(_ name: String) -> String {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
                  let colon = line.firstIndex(of: ":") else { return "?" }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let flags = Set(field("flags").split(separator: " "))
        let vector = flags.contains("avx512f") ? "avx512" : flags.contains("avx2") ? "avx2" : "sse"
        let cpus = text.split(separator: "\n").filter { $0.hasPrefix("processor") }.count
        return "\(field("model name")), family \(field("cpu family")) model \(field("model")), \(cpus) CPUs, \(vector), "
            + "OpenBLAS \(BLASCore.current) kernels"
    }
}
