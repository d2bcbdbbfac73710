import Cluster
import Compute
import Foundation
import Modeling

/// `lathe-bench mpi train-check --family gpt2|llama [--steps K] [--batch B] [--accumulation A]
/// [--threads N] [--out FILE]`: the data-parallel trainer on a tiny random model (B × A rows per step,
/// default 4 × 3), run as one process or under `mpirun -np N`; rank 0 writes the final
/// parameters (little-endian Float32) to FILE and prints one `RESULT` JSON line with every step's loss
/// and gradient norm. The cluster tests compare N ranks against one process with the same global batch.
enum MPIBench {
    static func run(_ args: [String]) -> Int32 {
        let world: Ranks
        do { world = try Ranks.start() } catch {
            FileHandle.standardError.write(Data("lathe-bench mpi: \(error)\n".utf8))
            return 1
        }
        guard let mode = args.first else { return usage() }
        var opts: [String: String] = [:]
        var i = 1
        while i + 1 < args.count { opts[args[i]] = args[i + 1]; i += 2 }
        let status: Int32 = switch mode {
        case "train-check": trainCheck(opts, world: world)
        case "allreduce": allreduce(opts, world: world)
        case "step": step(opts, world: world)
        case "project": project(opts)
        default: usage()
        }
        Ranks.finish(status: status)
        return status
    }

    static func usage() -> Int32 {
        FileHandle.standardError.write(Data("""
            usage: lathe-bench mpi train-check --family gpt2|llama [--steps K] [--batch B] [--accumulation A] [--threads N] [--out FILE]
                   lathe-bench mpi allreduce [--iters K]                 (under mpirun -np 2)
                   lathe-bench mpi step [--rows R] [--seq T] [--steps K] [--threads N]   (GPT-2 124M shape)
                   lathe-bench mpi project --step-s S --tokens-per-step N --grad-mib G --latency-us L

            """.utf8))
        return 64
    }

    /// Tiny random decoders, big enough that every kernel and the clipping path run: V 64, ctx 16, C 32,
    /// 2 blocks (Llama: 4 query heads sharing 2 key/value heads, SwiGLU 48, untied head).
    static func tinyConfig(_ family: String) -> GPTConfig? {
        switch family {
        case "gpt2": GPTConfig(vocabSize: 64, nPositions: 16, nEmbd: 32, nLayer: 2, nHead: 4)
        case "llama": GPTConfig(family: .llama, modelType: "llama", vocabSize: 64, nPositions: 16, nEmbd: 32, nLayer: 2, nHead: 4,
                                nKVHead: 2, headDim: 8, intermediateSize: 48, layerNormEpsilon: 1e-5, tiedEmbeddings: false)
        default: nil
        }
    }

    static func trainCheck(_ opts: [String: String], world: Ranks) -> Int32 {
        guard let config = tinyConfig(opts["--family"] ?? "gpt2") else { return usage() }
        ComputeThreads.set(Int(opts["--threads"] ?? "") ?? 1)
        let steps = Int(opts["--steps"] ?? "") ?? 4
        do {
            let model = try GPTModel(config: config, seed: 3)
            var rng = SeededGenerator(seed: 11)
            let stream = (0..<(40 * 15 + 1)).map { _ in Int32(rng.next() % 64) }
            let data = try TrainingData.contiguous(tokens: stream, sequenceLength: 14, vocabSize: 64)
            let hp = TrainingHyperparameters(
                learningRate: 3e-3, lrScheduler: .cosine, warmupSteps: 1, cosineMinLRRatio: 0, weightDecay: 0.1, maxGradNorm: 1,
                microBatchSize: Int(opts["--batch"] ?? "") ?? 4, gradientAccumulationSteps: Int(opts["--accumulation"] ?? "") ?? 3,
                maxSteps: max(1, steps), adamBeta1: 0.9, adamBeta2: 0.999, adamEpsilon: 1e-8, seed: 5)
            let trainer = try GPTTrainer(model: model, data: data, hyperparameters: hp, ranks: world)
            var losses: [Double] = [], norms: [Double] = []
            if steps > 0 { trainer.train { r in losses.append(Double(r.loss)); norms.append(Double(r.gradNorm)); return .proceed } }
            guard world.isWriter else { return 0 }
            if let out = opts["--out"] {
                let bytes = model.withParameters { Data(buffer: $0) }
                try bytes.write(to: URL(fileURLWithPath: out))
            }
            let result: [String: Any] = ["ranks": world.size, "losses": losses, "grad_norms": norms, "rows": Array(trainer.localRows)]
            print("RESULT " + BenchJSON.line(result))
            return 0
        } catch {
            FileHandle.standardError.write(Data("lathe-bench mpi (rank \(world.rank)): \(error)\n".utf8))
            return 1
        }
    }
}

extension MPIBench {
    /// `allreduce`: median seconds of an in-place `MPI_Allreduce` sum of n floats over the job's ranks
    /// (after 3 warm-ups), for n from 1 to 124M floats (the GPT-2 124M gradient); latency is the 4-byte
    /// time, bus bandwidth 2·(N−1)/N · bytes / time (nccl-tests' convention). One `RESULT` line per size.
    static func allreduce(_ opts: [String: String], world: Ranks) -> Int32 {
        let iters = Int(opts["--iters"] ?? "") ?? 20
        let sizes = [1, 256, 16_384, 262_144, 4_194_304, 33_554_432, 124_439_808]
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: sizes.max()!)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 1e-3, count: sizes.max()!)
        for n in sizes {
            let k = n > 10_000_000 ? max(3, iters / 4) : iters
            var times: [Double] = []
            for i in 0..<(k + 3) {
                world.sum(buffer, count: 1)  // a blocking (spinning) sync: the polled barrier could leave ranks 2 ms apart
                let t0 = DispatchTime.now().uptimeNanoseconds
                world.sum(buffer, count: n)
                if i >= 3 { times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) }
            }
            // every rank's median may differ; report the slowest rank's
            let local = times.sorted()[times.count / 2]
            let all = world.allGather(String(local)).compactMap(Double.init)
            let median = all.max() ?? local
            guard world.isWriter else { continue }
            let bytes = Double(n * 4)
            let bus = 2 * Double(world.size - 1) / Double(world.size) * bytes / median
            let result: [String: Any] = ["bytes": n * 4, "ranks": world.size, "median_s": median,
                                         "bus_gb_per_s": (bus / 1e9 * 1000).rounded() / 1000, "cpu": HostCPU.describe()]
            print("RESULT " + BenchJSON.line(result))
        }
        return 0
    }

    /// `step`: median seconds of an optimizer step of the GPT-2 124M shape (V 50257, ctx 1024, C 768,
    /// 12 blocks, 12 heads) from random init on R rows × T tokens of random ids, split over the job's
    /// ranks, `--threads` each; 2 warm-up steps. Tokens/s counts the whole step (every rank's rows).
    static func step(_ opts: [String: String], world: Ranks) -> Int32 {
        let rows = Int(opts["--rows"] ?? "") ?? 4, t = Int(opts["--seq"] ?? "") ?? 256, steps = Int(opts["--steps"] ?? "") ?? 5
        let threads = Int(opts["--threads"] ?? "") ?? 1
        ComputeThreads.set(threads)
        do {
            let config = GPTConfig(vocabSize: 50257, nPositions: 1024, nEmbd: 768, nLayer: 12, nHead: 12)
            let model = try GPTModel(config: config, seed: 1)
            var rng = SeededGenerator(seed: 7)
            let stream = (0..<(rows * (t + 1) * 4)).map { _ in Int32(rng.next() % 50257) }
            let data = try TrainingData.contiguous(tokens: stream, sequenceLength: t, vocabSize: 50257)
            let hp = TrainingHyperparameters(
                learningRate: 1e-4, lrScheduler: .constant, warmupSteps: 0, cosineMinLRRatio: 0, weightDecay: 0, maxGradNorm: 1,
                microBatchSize: rows, gradientAccumulationSteps: 1, maxSteps: Int.max, adamBeta1: 0.9, adamBeta2: 0.999,
                adamEpsilon: 1e-8, seed: 42)
            let trainer = try GPTTrainer(model: model, data: data, hyperparameters: hp, ranks: world)
            var times: [Double] = []
            for k in 0..<(steps + 2) {
                world.barrier()
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = trainer.trainStep()
                if k >= 2 { times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) }
            }
            let median = times.sorted()[times.count / 2]
            guard world.isWriter else { return 0 }
            let result: [String: Any] = [
                "ranks": world.size, "threads": threads, "rows": rows, "seq": t, "step_s": (median * 1000).rounded() / 1000,
                "tokens_per_s": (Double(rows * t) / median * 10).rounded() / 10, "gradient_mib": Double(model.parameterCount * 4) / 1_048_576,
                "peak_rss_mib": (EngineBench.peakRSSMiB() * 10).rounded() / 10, "cpu": HostCPU.describe(),
            ]
            print("RESULT " + BenchJSON.line(result))
            return 0
        } catch {
            FileHandle.standardError.write(Data("lathe-bench mpi step (rank \(world.rank)): \(error)\n".utf8))
            return 1
        }
    }

    /// `project`: the cost model. One machine takes `step-s` seconds for a step of `tokens-per-step`
    /// tokens; N machines each train that many tokens per step (the global batch grows N×) and then sum
    /// `grad-mib` MiB of gradients with a ring allreduce, which sends and receives 2·(N−1)/N of the
    /// gradient per machine over the link and pays 2·(N−1) message latencies:
    /// t_N = step_s + 2·(N−1)·latency + 2·(N−1)/N · bytes / (link × 0.9 goodput).
    /// Prints throughput (tokens/s) and efficiency (t_1 / t_N) for N = 2, 4, 8, 16 on 10 and 25 GbE.
    /// No overlap of the allreduce with backward is assumed (Lathe sums after backward).
    static func project(_ opts: [String: String]) -> Int32 {
        guard let stepS = Double(opts["--step-s"] ?? ""), let tokens = Double(opts["--tokens-per-step"] ?? ""),
              let gradMiB = Double(opts["--grad-mib"] ?? "") else { return usage() }
        let latency = (Double(opts["--latency-us"] ?? "") ?? 50) / 1e6
        let bytes = gradMiB * 1_048_576
        for (name, gbits) in [("10GbE", 10.0), ("25GbE", 25.0)] {
            let link = gbits / 8 * 1e9 * 0.9
            for n in [1, 2, 4, 8, 16] {
                let comm = n == 1 ? 0 : 2 * Double(n - 1) * latency + 2 * Double(n - 1) / Double(n) * bytes / link
                let t = stepS + comm
                let result: [String: Any] = ["link": name, "machines": n, "step_s": (t * 1000).rounded() / 1000,
                                             "allreduce_s": (comm * 1000).rounded() / 1000,
                                             "tokens_per_s": (Double(n) * tokens / t).rounded(), "efficiency": (stepS / t * 1000).rounded() / 1000]
                print("RESULT " + BenchJSON.line(result))
            }
        }
        return 0
    }
}
