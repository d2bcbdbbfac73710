import Compute
import Datasets
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization
#if canImport(Glibc)
import Glibc
#endif

/// `pretrain-continue`, `domain-adapt` and `instruct`: one causal-LM training loop over the
/// shared engine; the kinds differ only in their data (completion text, domain text with
/// `replay:`, instruction records with the prompt masked).
///
/// Outputs (the entry's `out/` folder is itself an HF GPT-2 model folder):
/// `config.json`, `generation_config.json`, `model.safetensors`, `tokenizer.json`, and under
/// `logs/` (hashed, but outside the digest downstream keys see, since timings vary run to run):
/// `metrics.jsonl` (one JSON object per logged step: `step`, `loss`, `lr`, `grad_norm`,
/// `tokens_per_s`, and `val_loss` when evaluated) and `summary.json` (the cost record).
///
/// Resumable: every `save_steps` (and on interrupt) a checkpoint goes to the resume folder; a
/// rerun with the same key continues from it and ends with the same model bits.
struct TrainingStage: StageAdapter {
    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome {
        guard let p = stage.params.training else { throw StageError.unknownStage(stage.name) }
        let started = Date()
        ComputeThreads.set(p.threads)  // nil: $LATHE_THREADS, else every core
        let tokenizer = try ModelInputs.tokenizer(from: p.tokenizer ?? p.from, context: context)
        let model = try ModelInputs.model(p, tokenizer: tokenizer, context: context)
        let config = model.config
        guard tokenizer.vocabSize <= config.vocabSize else {
            throw StageError.invalidInput("the tokenizer has \(tokenizer.vocabSize) tokens but the model's vocab_size is \(config.vocabSize). Use a model with vocab_size ≥ \(tokenizer.vocabSize), or the tokenizer it was trained with.")
        }
        let sequenceLength = p.sequenceLen ?? config.nPositions
        guard sequenceLength <= config.nPositions else {
            throw StageError.invalidInput("sequence_len \(sequenceLength) exceeds the model's n_positions \(config.nPositions). Lower sequence_len.")
        }
        try MemoryBudget.check(config, batch: p.microBatchSize, sequence: sequenceLength)

        context.report(.note("encoding datasets"))
        let seed = UInt64(truncatingIfNeeded: p.seed)
        let data = try TrainingDataBuilder(params: p, kind: stage.kind, tokenizer: tokenizer, root: context.projectRoot, storeRoot: context.storeRoot,
                                           sequenceLength: sequenceLength, vocabSize: config.vocabSize, seed: seed,
                                           report: { context.report(.note($0)) })
        let train = try data.trainingData()
        let validation = try data.validationData()

        var hp = TrainingHyperparameters()
        hp.learningRate = Float(p.learningRate)
        hp.lrScheduler = switch p.lrScheduler {
        case .cosine: .cosine
        case .linear: .linear
        case .constant, .constantWithWarmup: .constant
        }
        hp.cosineMinLRRatio = Float(p.cosineMinLrRatio)
        hp.weightDecay = Float(p.weightDecay)
        hp.maxGradNorm = Float(p.maxGradNorm)
        hp.microBatchSize = p.microBatchSize
        hp.gradientAccumulationSteps = p.gradientAccumulationSteps
        let rowsPerStep = max(1, p.microBatchSize * p.gradientAccumulationSteps)
        hp.maxSteps = p.maxSteps ?? max(1, Int((p.numEpochs * Double(train.rowCount) / Double(rowsPerStep)).rounded(.up)))
        hp.warmupSteps = p.warmupSteps ?? Int((p.warmupRatio ?? 0) * Double(hp.maxSteps))
        hp.adamBeta1 = Float(p.adamBeta1)
        hp.adamBeta2 = Float(p.adamBeta2)
        hp.adamEpsilon = Float(p.adamEpsilon)
        hp.seed = seed

        let freezing = Freezing(trainableLayers: p.freezeTrainableLayers, unfrozenParameters: p.unfrozenParameters)
        let trainer = try GPTTrainer(model: model, data: train, hyperparameters: hp, freezing: freezing,
                                     replay: try data.replayMix())
        let log = try MetricsLog(directory: context.resumeDirectory)
        let checkpoint = context.resumeDirectory.appendingPathComponent("checkpoint")
        if FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("state.json").path)
            || FileManager.default.fileExists(atPath: checkpoint.path) && !((try? FileManager.default.contentsOfDirectory(atPath: checkpoint.path))?.isEmpty ?? true) {
            do {
                try trainer.loadCheckpoint(from: checkpoint)
                log.truncate(after: trainer.step)
                context.report(.note("resumed from step \(trainer.step)"))
            } catch {
                // A damaged or mismatched checkpoint is scratch state: say so, drop it and recompute
                // from step 0 (the trainer is untouched by a refused load) rather than fail forever.
                try? FileManager.default.removeItem(at: checkpoint)
                log.truncate(after: 0)
                let why = if case .checkpoint(let path, let problem) = error { "\(path): \(problem)" } else { "\(error)" }
                context.report(.note("discarded the resume checkpoint (\(why)); training from step 0"))
            }
        }

        var bestValLoss = Double.infinity
        var worseEvals = 0
        var lastValLoss: Double?
        var interrupted = false
        var stoppedEarly = false
        let evalEvery = p.evalSteps ?? max(1, hp.maxSteps / 4)
        let batch = max(1, p.microBatchSize)
        var trainedTokens = 0
        var stepError: (any Error)?
        let last = trainer.train { report in
            guard report.loss.isFinite else {
                // A diverged run must fail, not publish NaN weights as a cached result.
                stepError = StageError.invalidInput("the training loss became \(report.loss) at step \(report.step): training diverged. Lower learning_rate (now \(p.learningRate)) or set max_grad_norm.")
                return .stop
            }
            trainedTokens += report.targetTokens
            var line: [String: JSONValue] = [
                "step": .int(report.step), "loss": .double(Double(report.loss)), "lr": .double(Double(report.learningRate)),
                "grad_norm": .double(Double(report.gradNorm)), "tokens_per_s": .double(report.tokensPerSecond.rounded()),
            ]
            let isLast = report.step >= hp.maxSteps
            if let validation, report.step % evalEvery == 0 || isLast {
                do {
                    let v = try model.evaluate(validation, batchSize: batch).meanLoss
                    line["val_loss"] = .double(v)
                    lastValLoss = v
                    if v < bestValLoss - 1e-6 { bestValLoss = v; worseEvals = 0 } else { worseEvals += 1 }
                } catch { stepError = error; return .stop }
            }
            if report.step % max(1, p.loggingSteps) == 0 || isLast || line["val_loss"] != nil {
                log.append(.object(line))
            }
            let eta = report.tokensPerSecond > 0
                ? Double(hp.maxSteps - report.step) * Double(report.targetTokens) / report.tokensPerSecond : 0
            context.report(.progress(step: report.step, total: hp.maxSteps, values: [
                "loss": Double(report.loss), "tokens_per_s": report.tokensPerSecond, "eta_s": eta,
            ]))
            if let save = p.saveSteps, save > 0, report.step % save == 0, !isLast {
                do { try trainer.saveCheckpoint(to: checkpoint); try log.flush() } catch { stepError = error; return .stop }
            }
            if context.isCancelled() { interrupted = true; return .stop }
            if let patience = p.earlyStoppingPatience, worseEvals >= patience { stoppedEarly = true; return .stop }
            return .proceed
        }
        if let stepError { throw stepError }
        if interrupted {
            try trainer.saveCheckpoint(to: checkpoint)
            try log.flush()
            throw StageCancelled()
        }

        let out = context.outputDirectory
        try model.exportHF(to: out)
        try tokenizer.write(to: out.appendingPathComponent("tokenizer.json"))
        let logs = out.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try log.flush()
        try FileManager.default.copyItem(at: log.url, to: logs.appendingPathComponent("metrics.jsonl"))

        let trainable = trainer.trainableParameterCount
        let total = model.parameterCount
        let tokensSeen = hp.maxSteps * rowsPerStep * sequenceLength
        // 6·N per token for forward + backward over all weights (Kaplan et al.), the usual estimate.
        let flops = 6.0 * Double(total) * Double(tokensSeen)
        let seconds = Date().timeIntervalSince(started)
        var metrics: [String: Double] = ["train_loss": Double(last?.loss ?? .nan)]
        if let lastValLoss { metrics["val_loss"] = lastValLoss }
        let cost: [String: Double] = [
            "tokens": Double(tokensSeen), "trained_tokens": Double(trainedTokens), "trainable_params": Double(trainable),
            "total_params": Double(total), "flops": flops, "peak_rss_mib": PeakMemory.mebibytes(),
            "steps": Double(trainer.step),
        ]
        var summary: [String: JSONValue] = [
            "kind": .string(stage.kind.rawValue), "wall_s": .double((seconds * 100).rounded() / 100),
            "stopped_early": .bool(stoppedEarly),
        ]
        for (k, v) in metrics { summary[k] = .double(v) }
        for (k, v) in cost { summary[k] = .double(v) }
        try Data(JSONValue.object(summary).rendered().utf8).write(to: logs.appendingPathComponent("summary.json"))
        return StageOutcome(metrics: metrics, cost: cost)
    }
}

/// The process's peak resident set so far, in MiB (getrusage).
enum PeakMemory {
    static func mebibytes() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return (Double(usage.ru_maxrss) / 1024 * 10).rounded() / 10
    }
}

/// `metrics.jsonl` kept in the resume folder while training, so a resumed run continues the same
/// log; lines past the restored checkpoint's step are dropped.
final class MetricsLog {
    let url: URL
    private var lines: [String]

    init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent("metrics.jsonl")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        lines = text.split(separator: "\n").map(String.init)
    }

    func append(_ value: JSONValue) { lines.append(value.compact()) }

    func truncate(after step: Int) {
        lines = lines.filter { line in
            guard let v = try? JSONValue.parse(line), let s = v["step"]?.intValue else { return false }
            return s <= step
        }
    }

    func flush() throws {
        try AtomicFile.write(Data((lines.map { $0 + "\n" }.joined()).utf8), to: url)
    }
}
