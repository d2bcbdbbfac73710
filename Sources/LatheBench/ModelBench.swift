import Compute
import Foundation
import Modeling

/// `lathe-bench model --dir HF_FOLDER --mode full|lora [--batch B] [--seq T] [--steps K] [--threads N] [--labels L]`
///
/// Training throughput on a real HF folder, the same work as `../shared/bench/models/hf_train.py`: fp32,
/// AdamW (lr 1e-4, no weight decay, no clipping), one fixed batch of B × T uniform random ids below
/// min(8192, V), the median step time after 2 warm-up steps; `lora` attaches r = 8, α = 16 adapters to
/// every linear module (PEFT's `all-linear`). Prints one `RESULT` JSON line with tokens/s, the peak RSS
/// (`ru_maxrss`, the whole process, like the peer's) and the CPU. With `--labels L` the model gets a
/// sequence-classification head of L classes (BERT: pooler + classifier) and each row one label, the
/// work of `scripts/bench_bert_classify.py` (transformers' `…ForSequenceClassification`).
enum ModelBench {
    static func run(_ args: [String]) -> Int32 {
        var opts: [String: String] = [:]
        var i = 0
        while i + 1 < args.count { opts[args[i]] = args[i + 1]; i += 2 }
        guard let dir = opts["--dir"], let mode = opts["--mode"], ["full", "lora"].contains(mode) else {
            FileHandle.standardError.write(Data("usage: lathe-bench model --dir HF_FOLDER --mode full|lora [--batch B] [--seq T] [--steps K] [--threads N]\n".utf8))
            return 64
        }
        let b = Int(opts["--batch"] ?? "") ?? 4, t = Int(opts["--seq"] ?? "") ?? 256
        let steps = Int(opts["--steps"] ?? "") ?? 5, threads = Int(opts["--threads"] ?? "") ?? 2
        ComputeThreads.set(threads)
        let loadStart = DispatchTime.now().uptimeNanoseconds
        let labels = Int(opts["--labels"] ?? "")
        var model: GPTModel
        do {
            model = try GPTModel.loadHF(directory: URL(fileURLWithPath: dir))
            if let labels { model = try model.withClassificationHead(numLabels: labels, seed: 1) }
        } catch {
            FileHandle.standardError.write(Data("lathe-bench model: \(error)\n".utf8))
            return 1
        }
        let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - loadStart) / 1e9
        if mode == "lora" {
            let lora = LoRAConfig(rank: 8, alpha: 16, targetModules: [LoRAConfig.allLinearTarget])
            try! model.attach(LoRAAdapters(config: lora, model: model, seed: 1))
        }
        var rng = SeededGenerator(seed: 0)
        let v = min(8192, model.config.vocabSize)
        // one batch of B rows, repeated: the same fixed batch every step, as the peer does
        let row = (0..<(t + 1)).map { _ in Int32(rng.next() % UInt64(v)) }
        let stream = Array((0..<(b * 2)).map { _ in row }.joined())
        let data = labels == nil
            ? try! TrainingData.contiguous(tokens: stream, sequenceLength: t, vocabSize: model.config.vocabSize)
            : try! TrainingData.classification(texts: (0..<(b * 2)).map { _ in Array(row.prefix(t)) }, labels: (0..<(b * 2)).map { $0 % labels! },
                                               sequenceLength: t, vocabSize: model.config.vocabSize, numLabels: labels!,
                                               pooling: model.config.pooling)
        let hp = TrainingHyperparameters(
            learningRate: 1e-4, lrScheduler: .constant, warmupSteps: 0, cosineMinLRRatio: 0, weightDecay: 0, maxGradNorm: 0,
            microBatchSize: b, gradientAccumulationSteps: 1, maxSteps: Int.max, adamBeta1: 0.9, adamBeta2: 0.999,
            adamEpsilon: 1e-8, seed: 42)
        let trainer = try! GPTTrainer(model: model, data: data, hyperparameters: hp)
        var times: [Double] = []
        for k in 0..<(steps + 2) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = trainer.trainStep()
            if k >= 2 { times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9) }
        }
        let median = times.sorted()[times.count / 2]
        let result: [String: Any] = [
            "peer": "lathe-\(mode)\(labels == nil ? "" : "-classify")", "tokens_per_s": (Double(b * t) / median * 10).rounded() / 10,
            "step_s": (median * 1000).rounded() / 1000, "trainable_params": trainer.trainableParameterCount,
            "peak_rss_mib": (EngineBench.peakRSSMiB() * 10).rounded() / 10, "load_s": (loadSeconds * 100).rounded() / 100,
            "threads": threads, "batch": b, "seq": t, "cpu": HostCPU.describe(),
        ]
        print("RESULT " + BenchJSON.line(result))
        return 0
    }
}
