import Compute

/// `deterministic: true` in the stages a run executes: OpenBLAS's Haswell kernels for the whole process
/// (chosen when OpenBLAS loads, so the process re-executes itself once; see `BLASCore`). Stages without
/// the key then run on them too, slower on AVX-512 CPUs but correct.
enum DeterministicKernels {
    static func pin(quiet: Bool) {
        guard !BLASCore.pinDeterministicKernels(), !quiet else { return }
        printError("lathe: warning: this CPU cannot run OpenBLAS's \(BLASCore.deterministicCore) kernels (it lacks AVX2 or FMA), so "
            + "`deterministic: true` stages run on \(BLASCore.current) kernels: their results match machines with the same kernels only.")
    }
}
