import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's peak resident set so far, in MiB: `VmHWM` of /proc/self/status, the high-water mark
/// of this program image. Not getrusage's `ru_maxrss`, which Linux carries across exec — a `lathe`
/// spawned by a large process (a test runner holding a 4 GB model) would report its parent's peak.
enum PeakMemory {
    static func mebibytes() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kib = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") {
            return (kib / 1024 * 10).rounded() / 10
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return (Double(usage.ru_maxrss) / 1024 * 10).rounded() / 10
    }
}
