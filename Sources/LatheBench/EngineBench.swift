import Compute
import Foundation
import Modeling

/// `lathe-bench engine --config S|M --mode train|infer [--threads N] [--steps K] [--peak-gflops P]`
///
/// Train: forward + backward + AdamW step (fp32) on uniform random tokens, the same model and optimizer
/// settings as `../shared/bench/engine/bench_gpt.py` (AdamW lr 3e-4, wd 0.1, betas 0.9/0.95). Infer:
/// forward with full logits over the same (B, T). Prints one JSON line prefixed with `RESULT `.
/// MFU = FLOP/token × tokens/s ÷ sgemm peak. Without `--peak-gflops` the peak is measured in the same
/// seconds as the steps: one 2048³ sgemm (split over the threads like the engine's products) before the
/// first step and after every step, and each step's MFU is taken against the mean of the two peak samples
/// around it, so a host that slows down or speeds up mid-run moves both sides of the ratio (`mfu` is the
/// median of those per-step ratios). The JSON also names the CPU, since the peak differs between hosts.
enum EngineBench {
    struct Shape { let vocab, ctx, d, layers, heads, batch: Int }
    static let shapes: [String: Shape] = [
        "S": Shape(vocab: 512, ctx: 128, d: 128, layers: 4, heads: 4, batch: 16),
        "M": Shape(vocab: 2048, ctx: 256, d: 256, layers: 6, heads: 8, batch: 8),
    ]

    static func run(_ args: [String]) -> Int32 {
        var opts: [String: String] = [:]
        var i = 0
        while i + 1 < args.count { opts[args[i]] = args[i + 1]; i += 2 }
        let configName = opts["--config"] ?? "S", mode = opts["--mode"] ?? "train"
        guard let s = shapes[configName], ["train", "infer"].contains(mode) else {
            FileHandle.standardError.write(Data("usage: lathe-bench engine --config S|M --mode train|infer [--threads N] [--steps K] [--peak-gflops P]\n".utf8))
            return 64
        }
        let threads = Int(opts["--threads"] ?? "") ?? 2
        ComputeThreads.set(threads)
        let samples = Int(opts["--steps"] ?? "") ?? 20
        let fixedPeak = Double(opts["--peak-gflops"] ?? "")

        let config = GPTConfig(vocabSize: s.vocab, nPositions: s.ctx, nEmbd: s.d, nLayer: s.layers, nHead: s.heads)
        let model = try! GPTModel(config: config, seed: 1)
        var rng = SeededGenerator(seed: 7)
        let stream = (0..<(s.batch * s.ctx * 8 + 1)).map { _ in Int32(rng.next() % UInt64(s.vocab)) }
        let data = try! TrainingData.contiguous(tokens: stream, sequenceLength: s.ctx, vocabSize: s.vocab)
        let hp = TrainingHyperparameters(
            learningRate: 3e-4, lrScheduler: .constant, warmupSteps: 0, cosineMinLRRatio: 0, weightDecay: 0.1, maxGradNorm: 0,
            microBatchSize: s.batch, gradientAccumulationSteps: 1, maxSteps: Int.max, adamBeta1: 0.9, adamBeta2: 0.95,
            adamEpsilon: 1e-8, seed: 42)
        // only in train mode: the trainer's data-parallel replicas would count against inference memory
        let trainer = mode == "train" ? try! GPTTrainer(model: model, data: data, hyperparameters: hp) : nil
        let tokensPerSample = s.batch * s.ctx

        // N excludes the position table; the tied table counts once (bench_gpt.py's convention)
        let n = Double(model.parameterCount - s.ctx * s.d)
        let attn = Double(s.layers * s.d * s.ctx)
        let flopsPerToken = mode == "train" ? 6 * n + 12 * attn : 2 * n + 4 * attn

        var batch = TokenBatch(batchSize: s.batch, sequenceLength: s.ctx)
        for k in 0..<batch.tokens.count { batch.tokens[k] = stream[k] }
        let work: () -> Void
        if let trainer { work = { _ = trainer.trainStep() } } else { work = { model.logits(batch) { _ in () } } }
        for _ in 0..<3 { work() }
        // the engine allocates nothing after the first step, so its peak is reached here, before the
        // probe's 48 MiB of operands exist; the whole-process peak is reported too
        let engineRSSMiB = peakRSSMiB()
        let peakProbe = fixedPeak == nil ? SgemmPeakProbe() : nil
        var peaks: [Double] = peakProbe.map { [$0.sample()] } ?? []
        var times: [Double] = [], stepMFU: [Double] = []
        for _ in 0..<samples {
            let t0 = DispatchTime.now().uptimeNanoseconds
            work()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
            times.append(seconds)
            let gflops = flopsPerToken * Double(tokensPerSample) / seconds / 1e9
            if let peakProbe {
                peaks.append(peakProbe.sample())
                stepMFU.append(gflops / ((peaks[peaks.count - 2] + peaks[peaks.count - 1]) / 2))
            } else {
                stepMFU.append(gflops / fixedPeak!)
            }
        }
        let median = times.sorted()[times.count / 2]
        let tps = Double(tokensPerSample) / median
        let peak = fixedPeak ?? peaks.sorted()[peaks.count / 2]
        let mfu = stepMFU.sorted()[stepMFU.count / 2]
        let rssMiB = engineRSSMiB
        let trainingFloats: Int = trainer.map { $0.replicaFloats + 2 * $0.trainableParameterCount } ?? 0
        let neededFloats: Int = model.allocatedFloats + trainingFloats
        let neededMiB = Double(neededFloats) * 4 / 1_048_576
        let result: [String: Any] = [
            "engine": "lathe", "config": configName, "mode": mode, "threads": threads,
            "tokens_per_s_median": (tps * 10).rounded() / 10,
            "step_ms_median": (median * 1e5).rounded() / 100,
            "step_ms_min": (times.min()! * 1e5).rounded() / 100, "step_ms_max": (times.max()! * 1e5).rounded() / 100,
            "samples": samples, "flop_per_token": flopsPerToken,
            "model_gflops": (flopsPerToken * tps / 1e7).rounded() / 100,
            "sgemm_peak_gflops": (peak * 10).rounded() / 10,
            "sgemm_peak_source": fixedPeak == nil ? "measured between steps" : "--peak-gflops",
            "sgemm_peak_min_max": peaks.isEmpty ? [peak, peak] : [peaks.min()!, peaks.max()!].map { ($0 * 10).rounded() / 10 },
            "mfu": (mfu * 1000).rounded() / 1000,
            "mfu_of_medians": (flopsPerToken * tps / 1e9 / peak * 1000).rounded() / 1000,
            "cpu": HostCPU.describe(),
            "params": model.parameterCount,
            "rss_peak_mib": (rssMiB * 10).rounded() / 10,
            "rss_peak_with_probe_mib": (peakRSSMiB() * 10).rounded() / 10,
            "memory_needed_mib": (neededMiB * 10).rounded() / 10,
            "rss_over_needed": (rssMiB / neededMiB * 100).rounded() / 100,
        ]
        print("RESULT " + BenchJSON.line(result))
        return 0
    }

    /// The process's peak resident set so far (`ru_maxrss`), MiB.
    static func peakRSSMiB() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}

/// One 2048³ sgemm split over the configured threads the way the engine splits its products
/// (`Matmul.gemmParallel`: each thread a single-threaded OpenBLAS call on its rows): the MFU yardstick.
/// The three 16 MiB operands are allocated once; `sample()` allocates nothing. One sample is 17.2 GFLOP
/// (~0.1 s on two cores).
final class SgemmPeakProbe {
    private let n = 2048
    private let a: Arena, b: Arena, c: Arena

    init() {
        a = Arena(count: n * n); b = Arena(count: n * n); c = Arena(count: n * n)
        for k in 0..<(n * n) { a.base[k] = Float(k % 7) * 0.1; b.base[k] = Float(k % 5) * 0.1 }
        _ = sample()  // warm-up: page-in and OpenBLAS's buffers
    }

    /// GFLOP/s of one product.
    func sample() -> Double {
        let t0 = DispatchTime.now().uptimeNanoseconds
        Matmul.gemmParallel(transA: false, transB: false, m: n, n: n, k: n, a: a.base, lda: n, b: b.base, ldb: n,
                            beta: 0, c: c.base, ldc: n)
        return 2 * Double(n * n * n) / Double(DispatchTime.now().uptimeNanoseconds - t0)
    }
}
