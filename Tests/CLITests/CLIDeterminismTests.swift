import Foundation
import Testing
import TestSupport

/// `deterministic: true` gives one result whatever OpenBLAS kernel family the process starts with and
/// whatever the thread count: what a lock file committed on one x86-64 CPU needs to hold on another.
/// The CPU under test stands in for the others by starting `lathe` with each kernel family it can
/// run (`OPENBLAS_CORETYPE`, as Debian's OpenBLAS or Lathe's own choice would pick on another model).
@Suite(.serialized) struct CLIDeterminismTests {
    /// A full fine-tuning stage (the kind whose data-parallel split depends on the thread count).
    static func recipe(deterministic: Bool) -> String {
        """
        name: det
        seed: 7
        stages:
          tok:
            kind: tokenize
            datasets: [{path: data/a.txt, type: completion}]
            vocab_size: 300
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {n_layer: 2, n_head: 2, n_embd: 64, n_positions: 64}
            datasets: [{path: data/a.txt, type: completion}]
            sequence_len: 64
            micro_batch_size: 4
            max_steps: 3
            learning_rate: 1.0e-3
            deterministic: \(deterministic)
        """
    }

    static var cpuInfo: String { (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "" }
    static func has(_ flags: [String]) -> Bool {
        guard let line = cpuInfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return false }
        let set = Set(line.split(separator: " ").map(String.init))
        return flags.allSatisfy(set.contains)
    }

    /// Kernel families this CPU can run, by the extensions they need.
    static var kernelFamilies: [String] {
        var out = ["Sandybridge"]
        if has(["avx2", "fma"]) { out += ["Haswell", "Zen"] }
        if has(["avx512f", "avx512bw", "avx512dq", "avx512vl"]) { out += ["SkylakeX", "Cooperlake"] }
        return out
    }

    /// Runs the recipe in a fresh store under one kernel family and thread count; the lock's `base` entry.
    func run(_ p: TemporaryProject, core: String, threads: Int, tag: String) throws -> (digest: String, lock: String) {
        let r = try CommandRunner.run(["run", "pipelines/det.yaml", "-q", "--store", "st-\(tag)"], in: p.root,
                                      environment: ["OPENBLAS_CORETYPE": core, "LATHE_THREADS": String(threads)])
        #expect(r.status == 0, "\(core) × \(threads): \(r.stderr)")
        let lock = try #require(p.read("pipelines/det.lock"))
        let base = try #require(lock.range(of: "\"base\": {")).upperBound
        let digest = try #require(lock[base...].range(of: #""digest": "[0-9a-f]{64}""#, options: .regularExpression))
        return (String(lock[digest]), String(lock[base...]))
    }

    @Test("with deterministic: true every kernel family and thread count gives the same bits, run on Haswell kernels")
    func sameBitsUnderEveryKernelFamilyAndThreadCount() throws {
        try #require(Self.has(["avx2", "fma"]), "this test needs an x86-64 CPU with AVX2 and FMA")
        let p = TemporaryProject()
        _ = p.write("pipelines/det.yaml", Self.recipe(deterministic: true))
        _ = p.write("pipelines/data/a.txt", String(repeating: "The keeper waters the glassvine from below. Frost comes early.\n", count: 40))
        var digests: Set<String> = []
        for core in Self.kernelFamilies {
            for threads in [1, 3] {
                let (digest, lock) = try run(p, core: core, threads: threads, tag: "\(core)-\(threads)")
                digests.insert(digest)
                #expect(lock.contains("\"blas_kernels\": \"Haswell\""), "\(core) × \(threads) did not switch to Haswell kernels")
                #expect(lock.contains("\"threads\": \"\(threads)\""))
            }
        }
        #expect(digests.count == 1, "\(digests.count) different results: \(digests)")
    }

    @Test("without it, the thread count changes a full fine-tuning result (so the test above can fail)")
    func otherwiseTheThreadCountChangesTheBits() throws {
        let p = TemporaryProject()
        _ = p.write("pipelines/det.yaml", Self.recipe(deterministic: false))
        _ = p.write("pipelines/data/a.txt", String(repeating: "The keeper waters the glassvine from below. Frost comes early.\n", count: 40))
        let core = Self.has(["avx2", "fma"]) ? "Haswell" : "Sandybridge"
        let one = try run(p, core: core, threads: 1, tag: "one").digest
        let three = try run(p, core: core, threads: 3, tag: "three").digest
        #expect(one != three)
        if Self.has(["avx512f", "avx512bw", "avx512dq", "avx512vl"]) {
            // and so does the kernel family
            #expect(try run(p, core: "SkylakeX", threads: 1, tag: "skx").digest != one)
        }
    }
}
