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
        default: usage()
        }
        Ranks.finish(status: status)
        return status
    }

    static func usage() -> Int32 {
        FileHandle.standardError.write(Data("usage: lathe-bench mpi train-check --family gpt2|llama [--steps K] [--batch B] [--accumulation A] [--threads N] [--out FILE]\n".utf8))
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
            var hp = TrainingHyperparameters()
            hp.learningRate = 3e-3; hp.weightDecay = 0.1; hp.maxGradNorm = 1; hp.warmupSteps = 1
            hp.microBatchSize = Int(opts["--batch"] ?? "") ?? 4
            hp.gradientAccumulationSteps = Int(opts["--accumulation"] ?? "") ?? 3
            hp.maxSteps = max(1, steps); hp.seed = 5
            let trainer = try GPTTrainer(model: model, data: data, hyperparameters: hp, ranks: world)
            var losses: [Double] = [], norms: [Double] = []
            if steps > 0 { trainer.train { r in losses.append(Double(r.loss)); norms.append(Double(r.gradNorm)); return .proceed } }
            guard world.isWriter else { return 0 }
            if let out = opts["--out"] {
                let bytes = model.withParameters { Data(buffer: $0) }
                try bytes.write(to: URL(fileURLWithPath: out))
            }
            let result: [String: Any] = ["ranks": world.size, "losses": losses, "grad_norms": norms, "rows": Array(trainer.localRows)]
            let json = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
            print("RESULT " + String(decoding: json, as: UTF8.self))
            return 0
        } catch {
            FileHandle.standardError.write(Data("lathe-bench mpi (rank \(world.rank)): \(error)\n".utf8))
            return 1
        }
    }
}
