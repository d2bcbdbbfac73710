import COpenBLAS
import Foundation

/// Which OpenBLAS kernels run. Debian's OpenBLAS (0.3.21) picks its kernels by CPU model at load, and on
/// CPUs newer than the library (Sapphire/Emerald Rapids) it falls back to the generic SSE3 "Prescott"
/// kernels — 5× slower sgemm on the machines measured here (30 vs 148 GFLOP/s on one core) — and on
/// Zen 4 it runs the AVX2 kernels though AVX-512 is there. So `lathe` chooses by instruction set instead,
/// the same choice for every CPU with the same extensions: SkylakeX kernels with AVX-512 (F, BW, DQ, VL),
/// Haswell kernels with AVX2 and FMA, else OpenBLAS's own. The choice is made through
/// `OPENBLAS_CORETYPE`, which OpenBLAS reads only when it loads, so the process re-executes itself once
/// with it set. A user's own `OPENBLAS_CORETYPE` is kept.
public enum BLASCore {
    /// The kernel family OpenBLAS is running ("Haswell", "SkylakeX", "Prescott", …).
    public static var current: String { String(cString: openblas_get_corename()) }

    /// The `OPENBLAS_CORETYPE` for the extensions in a /proc/cpuinfo text, or nil to let OpenBLAS decide.
    public static func preferred(cpuInfo text: String) -> String? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return nil }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// The kernel family of `deterministic: true`: the one every x86-64 CPU with AVX2 and FMA can run.
    /// Measured on one AVX-512 CPU (BENCHMARKS.md, "Same bits on every CPU"): a LoRA stage gave one result
    /// under the Haswell and Zen kernels, other bits under SkylakeX, Cooperlake and Sandybridge, and the
    /// same bits with 1, 2 or 3 threads. Lathe's own loops are compiled once for `-target-cpu haswell`
    /// (no run-time dispatch, no fast-math), and glibc's libm picks its FMA variants on every such CPU.
    public static let deterministicCore = "Haswell"

    /// Whether a /proc/cpuinfo text shows AVX2 and FMA, so `deterministicCore` can run.
    public static func canRunDeterministicCore(cpuInfo text: String) -> Bool {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("flags") }),
              let colon = line.firstIndex(of: ":") else { return false }
        let flags = Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        return ["avx2", "fma"].allSatisfy(flags.contains)
    }

    /// What a result was computed with, for lock entries: the CPU's model name and the kernel family
    /// (`["cpu": "AMD Ryzen 9 7950X 16-Core Processor", "blas_kernels": "SkylakeX"]`).
    public static func machine(cpuInfo text: String? = nil) -> [String: String] {
        var out = ["blas_kernels": current]
        let info = text ?? (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        if let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            out["cpu"] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return out
    }

    /// For a run with `deterministic: true` stages: re-executes this process on `deterministicCore` when it
    /// runs other kernels and the CPU can run it (before any BLAS call; the command line is kept). Returns
    /// false when the CPU lacks AVX2 or FMA (the results then match only machines like this one), true when
    /// the kernels are already the deterministic ones.
    public static func pinDeterministicKernels() -> Bool {
        if current == deterministicCore { return true }
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              canRunDeterministicCore(cpuInfo: text),
              ProcessInfo.processInfo.environment["LATHE_BLAS_DETERMINISTIC"] == nil else { return false }
        setenv("OPENBLAS_CORETYPE", deterministicCore, 1)
        setenv("LATHE_BLAS_CORE_SELECTED", "1", 1)
        setenv("LATHE_BLAS_DETERMINISTIC", "1", 1)  // never loop
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        #endif
        return false
    }

    /// Re-executes this process with `OPENBLAS_CORETYPE` set to `preferred` when it is unset and the
    /// CPU has a preference; returns when nothing needs to change (or the re-exec failed, which costs
    /// only speed). Call first thing in `main`, before any BLAS call.
    public static func selectKernels() {
        #if os(Linux)
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["LATHE_BLAS_CORE_SELECTED"] == nil,
              let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let core = preferred(cpuInfo: text) else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("LATHE_BLAS_CORE_SELECTED", "1", 1)  // never loop, whatever OpenBLAS makes of it
        let argv = CommandLine.unsafeArgv
        execv("/proc/self/exe", argv)
        #endif
    }
}
