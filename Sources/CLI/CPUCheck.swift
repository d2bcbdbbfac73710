import Foundation

/// Release builds compile the engine for AVX2 and FMA (Package.swift, `-target-cpu haswell`). On a CPU
/// without them the engine's first vector instruction would end the process with SIGILL and no word of
/// why, so `lathe` looks first and says how to rebuild. This file is compiled without those flags.
enum CPUCheck {
    /// The instruction-set extensions the release engine uses, as /proc/cpuinfo names them.
    static let required = ["avx2", "fma"]

    /// Those of `required` missing from a /proc/cpuinfo text (empty when its flags cannot be found).
    static func missing(inCPUInfo text: String) -> [String] {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return [] }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return required.filter { !flags.contains($0) }
    }

    /// Exits with status 1 and a message when this build needs extensions the CPU lacks.
    static func requireEngineInstructions() {
        #if LATHE_ENGINE_AVX2 && os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return }
        let absent = missing(inCPUInfo: text)
        guard !absent.isEmpty else { return }
        printError("""
            error: this build of lathe uses AVX2 and FMA instructions, and this CPU lacks \(absent.joined(separator: ", ")) \
            (/proc/cpuinfo). Rebuild it for any x86-64 CPU: LATHE_PORTABLE=1 swift build -c release
            """)
        exit(1)
        #endif
    }
}
