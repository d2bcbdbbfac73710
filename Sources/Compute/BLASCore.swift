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
