import Compute
import Testing

/// The OpenBLAS kernel choice goes by instruction set, so every CPU with the same extensions runs the
/// same kernels (and Debian's OpenBLAS never falls back to its generic SSE3 kernels on a new CPU).
@Suite struct BLASCoreTests {
    @Test("AVX-512 picks SkylakeX kernels, AVX2 with FMA Haswell, anything else OpenBLAS's own choice",
          arguments: [
            ("flags\t\t: fpu sse2 avx2 fma avx512f avx512dq avx512bw avx512vl\n", "SkylakeX"),
            ("flags\t\t: fpu sse2 avx2 fma avx512f\n", "Haswell"),  // AVX-512 without BW/DQ/VL
            ("processor : 0\nflags\t\t: fpu sse2 avx avx2 fma\n", "Haswell"),
            ("flags\t\t: fpu sse2 avx\n", nil),
            ("no flags here", nil),
          ] as [(String, String?)])
    func theKernelFamilyFollowsTheInstructionSet(cpuInfo: String, expected: String?) {
        #expect(BLASCore.preferred(cpuInfo: cpuInfo) == expected)
    }

    @Test("the deterministic kernels need AVX2 and FMA, with or without AVX-512",
          arguments: [
            ("flags\t\t: fpu sse2 avx2 fma avx512f avx512dq avx512bw avx512vl\n", true),
            ("flags\t\t: fpu sse2 avx avx2 fma\n", true),
            ("flags\t\t: fpu sse2 avx avx2\n", false),  // AVX2 without FMA
            ("flags\t\t: fpu sse2 avx fma\n", false),
            ("no flags here", false),
          ] as [(String, Bool)])
    func deterministicKernelsNeedAVX2AndFMA(cpuInfo: String, expected: Bool) {
        #expect(BLASCore.canRunDeterministicCore(cpuInfo: cpuInfo) == expected)
        #expect(BLASCore.deterministicCore == "Haswell")
    }

    @Test("a lock entry's machine names the CPU model and the running kernels")
    func theMachineDescription() {
        let info = "processor\t: 0\nmodel name\t: AMD Ryzen 9 7950X 16-Core Processor\nflags\t\t: avx2 fma\n"
        #expect(BLASCore.machine(cpuInfo: info) == ["cpu": "AMD Ryzen 9 7950X 16-Core Processor", "blas_kernels": BLASCore.current])
        #expect(BLASCore.machine(cpuInfo: "") == ["blas_kernels": BLASCore.current])
    }

    @Test func theRunningKernelFamilyHasAName() {
        #expect(!BLASCore.current.isEmpty)
    }
}
