import Compute
import Foundation
import Modeling

/// `lathe-bench engine --config S|M --mode train|infer [--threads N] [--steps K] [--peak-gflops P]`
///
/// Train: forward + backward + AdamW step (fp32) on uniform random tokens, the same model and optimizer
/// settings as `../shared/bench/engine/bench_gpt.py` (AdamW lr 3e-4, wd 0.1, betas 0.9/0.95). Infer:
/// forward with full logits over the same (B, T). Prints one JSON line prefixed with `RESULT `.
/// MFU = FLOP/token × tokens/s ÷ sgemm peak (measured here on 2048³ unless `--peak-gflops` is given).
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
        let peak = Double(opts["--peak-gflops"] ?? "") ?? measureSgemmPeak()

        let config = GPTConfig(vocabSize: s.vocab, nPositions: s.ctx, nEmbd: s.d, nLayer: s.layers, nHead: s.heads)
        let model = try! GPTModel(config: config, seed: 1)
        var rng = SeededGenerator(seed: 7)
        let stream = (0..<(s.batch * s.ctx * 8 + 1)).map { _ in Int32(rng.next() % UInt64(s.vocab)) }
        let data = try! TrainingData.contiguous(tokens: stream, sequenceLength: s.ctx, vocabSize: s.vocab)
        var hp = TrainingHyperparameters()
        hp.learningRate = 3e-4; hp.weightDecay = 0.1; hp.adamBeta1 = 0.9; hp.adamBeta2 = 0.95
        hp.lrScheduler = .constant; hp.maxGradNorm = 0; hp.microBatchSize = s.batch; hp.maxSteps = Int.max
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
        var times: [Double] = []
        for _ in 0..<samples {
            let t0 = DispatchTime.now().uptimeNanoseconds
            work()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
        }
        times.sort()
        let median = times[times.count / 2]
        let tps = Double(tokensPerSample) / median
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let rssMiB = Double(usage.ru_maxrss) / 1024
        let trainingFloats: Int = trainer.map { $0.replicaFloats + 2 * $0.trainableParameterCount } ?? 0
        let neededFloats: Int = model.allocatedFloats + trainingFloats
        let neededMiB = Double(neededFloats) * 4 / 1_048_576
        let result: [String: Any] = [
            "engine": "lathe", "config": configName, "mode": mode, "threads": threads,
            "tokens_per_s_median": (tps * 10).rounded() / 10,
            "step_ms_median": (median * 1e5).rounded() / 100,
            "step_ms_min": (times.first! * 1e5).rounded() / 100, "step_ms_max": (times.last! * 1e5).rounded() / 100,
            "samples": samples, "flop_per_token": flopsPerToken,
            "model_gflops": (flopsPerToken * tps / 1e7).rounded() / 100,
            "sgemm_peak_gflops": (peak * 10).rounded() / 10,
            "mfu": (flopsPerToken * tps / 1e9 / peak * 1000).rounded() / 1000,
            "params": model.parameterCount,
            "rss_peak_mib": (rssMiB * 10).rounded() / 10,
            "memory_needed_mib": (neededMiB * 10).rounded() / 10,
            "rss_over_needed": (rssMiB / neededMiB * 100).rounded() / 100,
        ]
        let json = try! JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
        print("RESULT " + String(decoding: json, as: UTF8.self))
        return 0
    }

    /// Median GFLOP/s of a 2048³ sgemm at the configured thread count (the MFU yardstick).
    static func measureSgemmPeak() -> Double {
        let n = 2048
        let a = Arena(count: n * n), b = Arena(count: n * n), c = Arena(count: n * n)
        for k in 0..<(n * n) { a.base[k] = Float(k % 7) * 0.1; b.base[k] = Float(k % 5) * 0.1 }
        var rates: [Double] = []
        for _ in 0..<7 {
            let t0 = DispatchTime.now().uptimeNanoseconds
            Matmul.gemmParallel(transA: false, transB: false, m: n, n: n, k: n, a: a.base, lda: n, b: b.base, ldb: n, beta: 0, c: c.base, ldc: n)
            rates.append(2 * Double(n * n * n) / Double(DispatchTime.now().uptimeNanoseconds - t0))
        }
        rates.sort()
        return rates[rates.count / 2]
    }
}
