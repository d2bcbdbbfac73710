import JSONText
import Cluster
import Compute
import Datasets
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization

/// The parts every training-kind stage (pretrain-continue, domain-adapt, instruct, attach-adapters)
/// shares: data preparation, hyperparameters from recipe keys, the resumable training loop with
/// `metrics.jsonl`, and the `logs/summary.json` cost record.
struct TrainingRun {
    /// The stage's datasets encoded into engine rows for training and (when configured) validation.
    struct EncodedData {
        let train: TrainingData
        let validation: TrainingData?
        /// Replay rows for every step (domain-adapt with `replay:`), else nil.
        let replay: ReplayMix?
        let sequenceLength: Int
        /// Per-dataset `truncation` counts (summary.json, stage log); totals go to the lock's metrics.
        let fit: [(dataset: String, counts: SequenceFitCounts)]
        /// The chat template conversations were rendered with and its Jinja (written beside the model), or nil.
        let chatTemplate: (template: ChatTemplate, jinja: String)?
    }

    /// Refuses a tokenizer with more tokens than the model has embedding rows (its ids past them index nothing).
    /// - Throws: `StageError.invalidInput` ending with `fix`.
    static func checkTokenizer(size: Int, fits config: GPTConfig, fix: String) throws {
        guard size <= config.vocabSize else {
            throw StageError.invalidInput("the tokenizer has \(size) tokens but the model's vocab_size is \(config.vocabSize). \(fix)")
        }
    }

    /// The row length a training stage uses: `sequence_len`, else the model's context; checked against the
    /// context and the memory budget of one micro-batch.
    static func checkedSequenceLength(_ p: TrainingParams, config: GPTConfig) throws -> Int {
        let length = p.sequenceLen ?? config.nPositions
        guard length <= config.nPositions else {
            let key = config.family == .gpt2 ? "n_positions" : "max_position_embeddings"
            throw StageError.invalidInput("sequence_len \(length) exceeds the model's \(key) \(config.nPositions). Lower sequence_len.")
        }
        try MemoryBudget.check(config, batch: p.microBatchSize, sequence: length)
        return length
    }

    /// Checks tokenizer and sequence length against the model, then encodes the datasets (cached).
    static func data(_ p: TrainingParams, kind: StageKind, tokenizer: BPETokenizer, config: GPTConfig,
                     context: StageContext) throws -> EncodedData {
        try checkTokenizer(size: tokenizer.vocabSize, fits: config,
                           fix: "Use a model with vocab_size ≥ \(tokenizer.vocabSize), or the tokenizer it was trained with.")
        let sequenceLength = try checkedSequenceLength(p, config: config)
        context.report(.note("encoding datasets"))
        let chatTemplate = try ChatTemplateResolver.resolve(
            p, modelDirectory: try ModelInputs.directory(p.tokenizer ?? p.from, context: context), tokenizer: tokenizer)
        let builder = try TrainingDataBuilder(params: p, kind: kind, tokenizer: tokenizer, chatTemplate: chatTemplate?.template,
                                              root: context.projectRoot, storeRoot: context.storeRoot,
                                              sequenceLength: sequenceLength, vocabSize: config.vocabSize, seed: UInt64(truncatingIfNeeded: p.seed),
                                              report: { context.report(.note($0)) })
        return EncodedData(train: try builder.trainingData(), validation: try builder.validationData(), replay: try builder.replayMix(),
                    sequenceLength: sequenceLength, fit: builder.fit, chatTemplate: chatTemplate)
    }

    /// Engine settings from the recipe's training keys (every one passed: the engine has no defaults of its
    /// own); `max_steps` defaults to `num_epochs` over `trainRows`.
    static func hyperparameters(_ p: TrainingParams, trainRows: Int) -> TrainingHyperparameters {
        let rowsPerStep = max(1, p.microBatchSize * p.gradientAccumulationSteps)
        // an epoch is a pass over the training rows: replay slots in each step carry no training rows
        var trainRowsPerStep = rowsPerStep
        if let ratio = p.replay?.ratio, ratio > 0, rowsPerStep > 1 {
            trainRowsPerStep -= ReplayMix.replayRows(inStep: rowsPerStep, ratio: ratio)
        }
        let maxSteps = p.maxSteps ?? max(1, Int((p.numEpochs * Double(trainRows) / Double(trainRowsPerStep)).rounded(.up)))
        // HF's `constant` is `get_constant_schedule`: no warm-up (validate refuses warm-up keys with it).
        // HF's `get_warmup_steps` rounds a ratio up: 0.1 of 25 steps warms up for 3.
        let warmupSteps = p.lrScheduler == .constant ? 0 : p.warmupSteps ?? Int(((p.warmupRatio ?? 0) * Double(maxSteps)).rounded(.up))
        let schedule: LearningRateSchedule.Kind = switch p.lrScheduler {
        case .cosine: .cosine
        case .linear: .linear
        case .constant, .constantWithWarmup: .constant
        }
        return TrainingHyperparameters(
            learningRate: Float(p.learningRate), lrScheduler: schedule, warmupSteps: warmupSteps,
            cosineMinLRRatio: Float(p.cosineMinLrRatio), weightDecay: Float(p.weightDecay), maxGradNorm: Float(p.maxGradNorm),
            microBatchSize: p.microBatchSize, gradientAccumulationSteps: p.gradientAccumulationSteps, maxSteps: maxSteps,
            adamBeta1: Float(p.adamBeta1), adamBeta2: Float(p.adamBeta2), adamEpsilon: Float(p.adamEpsilon),
            seed: UInt64(truncatingIfNeeded: p.seed))
    }

    let params: TrainingParams
    let last: StepReport?
    let lastValLoss: Double?
    let stoppedEarly: Bool
    let trainedTokens: Int
    let log: MetricsLog

    /// Resumes from the stage's checkpoint if there is one, trains to `max_steps` (or early stop), logs
    /// every `logging_steps`, evaluates every `eval_steps`, checkpoints every `save_steps`; on
    /// cancellation saves a checkpoint and throws `StageCancelled`.
    ///
    /// Across MPI ranks (`trainer.ranks`): every rank loads the checkpoint rank 0 wrote, joins the
    /// stage's ``RankSync`` rendezvous, and after each step the ranks OR their wishes to stop, so they
    /// stop at the same step. Only rank 0 writes the metrics log and checkpoints; the others keep their
    /// log in a private folder that is discarded.
    static func train(_ trainer: GPTTrainer, params p: TrainingParams, validation: TrainingData?, context: StageContext) throws -> TrainingRun {
        let model = trainer.model, hp = trainer.hyperparameters
        let ranks = trainer.ranks
        let logDirectory = ranks.isWriter ? context.resumeDirectory
            : FileManager.default.temporaryDirectory.appendingPathComponent("lathe-rank\(ranks.rank)-\(UUID().uuidString)")
        defer { if !ranks.isWriter { try? FileManager.default.removeItem(at: logDirectory) } }
        let log = try MetricsLog(directory: logDirectory)
        let checkpoint = context.resumeDirectory.appendingPathComponent("checkpoint")
        if FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("state.json").path)
            || FileManager.default.fileExists(atPath: checkpoint.path) && !((try? FileManager.default.contentsOfDirectory(atPath: checkpoint.path))?.isEmpty ?? true) {
            do {
                try trainer.loadCheckpoint(from: checkpoint)
                log.truncate(after: trainer.step)
                context.report(.note("resumed from step \(trainer.step)"))
            } catch where !ranks.isWriter {
                throw StageError.invalidInput("rank \(ranks.rank) could not read rank 0's resume checkpoint \(checkpoint.path): \(error)")
            } catch {
                // A damaged or mismatched checkpoint is scratch state: say so, drop it and recompute
                // from step 0 (the trainer is untouched by a refused load) rather than fail forever.
                try? FileManager.default.removeItem(at: checkpoint)
                log.truncate(after: 0)
                let why = if case .checkpoint(let path, let problem) = error { "\(path): \(problem)" } else { "\(error)" }
                context.report(.warning("discarded the resume checkpoint (\(why)); training from step 0"))
            }
        }

        try RankSync.shared.join(step: trainer.step)

        var bestValLoss = Double.infinity
        var worseEvals = 0
        var lastValLoss: Double?
        var interrupted = false
        var stoppedEarly = false
        let evalEvery = p.evalSteps ?? max(1, hp.maxSteps / 4)
        let batch = max(1, p.microBatchSize)
        var trainedTokens = 0
        var stepError: (any Error)?
        // Test hook: kill and interrupt tests slow each step down to act mid-training. Never set it in use.
        let stepDelay = ProcessInfo.processInfo.environment["LATHE_TESTONLY_STEP_SECONDS"].flatMap(Double.init)
        let last = trainer.train { report in
            if let stepDelay { Thread.sleep(forTimeInterval: stepDelay) }
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
                log.append(.object(JSONObject(line)))
            }
            let eta = report.tokensPerSecond > 0
                ? Double(hp.maxSteps - report.step) * Double(report.targetTokens) / report.tokensPerSecond : 0
            context.report(.progress(step: report.step, total: hp.maxSteps, values: [
                "loss": Double(report.loss), "tokens_per_s": report.tokensPerSecond, "eta_s": eta,
            ]))
            if ranks.isWriter, let save = p.saveSteps, save > 0, report.step % save == 0, !isLast {
                do { try trainer.saveCheckpoint(to: checkpoint); try log.flush() } catch { stepError = error }
            }
            if stepError == nil, context.isCancelled() { interrupted = true }
            if stepError == nil, !interrupted, let patience = p.earlyStoppingPatience, worseEvals >= patience { stoppedEarly = true }
            let stop = stepError != nil || interrupted || stoppedEarly
            // Ranks stop together: one rank's interrupt or failed save stops them all at this step.
            if ranks.isDistributed, ranks.any(stop) {
                if !stop { interrupted = true }
                return .stop
            }
            return stop ? .stop : .proceed
        }
        if let stepError { throw stepError }
        if interrupted {
            if ranks.isWriter { try trainer.saveCheckpoint(to: checkpoint) }
            try log.flush()
            throw StageCancelled()
        }
        return TrainingRun(params: p, last: last, lastValLoss: lastValLoss, stoppedEarly: stoppedEarly,
                           trainedTokens: trainedTokens, log: log)
    }

    /// Writes `logs/metrics.jsonl` and `logs/summary.json` under `out` and returns the stage outcome.
    /// `extra` adds stage-specific numbers to the summary and cost record.
    func writeLogs(to out: URL, kind: StageKind, trainer: GPTTrainer, sequenceLength: Int, started: Date,
                   fit: [(dataset: String, counts: SequenceFitCounts)] = [], extra: [String: Double] = [:]) throws -> StageOutcome {
        let hp = trainer.hyperparameters
        let logs = out.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try log.flush()
        try FileManager.default.copyItem(at: log.url, to: logs.appendingPathComponent("metrics.jsonl"))

        let trainable = trainer.trainableParameterCount
        let model = trainer.model
        let total = model.parameterCount + (model.adapters?.parameterCount ?? 0)
        let rowsPerStep = max(1, hp.microBatchSize * hp.gradientAccumulationSteps)
        let tokensSeen = hp.maxSteps * rowsPerStep * sequenceLength
        // 6·N per token for forward + backward over all weights (Kaplan et al.), the usual estimate. With
        // LoRA the frozen base costs 4·N (forward + input gradient; no weight gradient).
        let adapterCount = Double(model.adapters?.parameterCount ?? 0)
        let perToken = model.adapters == nil ? 6.0 * Double(total)
            : 4.0 * Double(model.parameterCount) + 6.0 * adapterCount + 2.0 * (Double(trainable) - adapterCount)
        let flops = perToken * Double(tokensSeen)
        let seconds = Date().timeIntervalSince(started)
        var metrics: [String: Double] = ["train_loss": Double(last?.loss ?? .nan)]
        if let lastValLoss { metrics["val_loss"] = lastValLoss }
        let fitTotal = fit.reduce(SequenceFitCounts()) { $0 + $1.counts }
        if fitTotal.overLength > 0 {
            metrics["records_over_length"] = Double(fitTotal.overLength)
            metrics["records_dropped"] = Double(fitTotal.dropped)
            metrics["records_truncated"] = Double(fitTotal.truncated)
            metrics["records_split"] = Double(fitTotal.split)
        }
        var cost: [String: Double] = [
            "tokens": Double(tokensSeen), "trained_tokens": Double(trainedTokens), "trainable_params": Double(trainable),
            "total_params": Double(total), "flops": flops, "peak_rss_mib": PeakMemory.mebibytes(),
            "steps": Double(trainer.step),
        ]
        for (k, v) in extra { cost[k] = v }
        var summary: [String: JSONValue] = [
            "kind": .string(kind.rawValue), "wall_s": .double((seconds * 100).rounded() / 100),
            "stopped_early": .bool(stoppedEarly),
        ]
        for (k, v) in metrics { summary[k] = .double(v) }
        for (k, v) in cost { summary[k] = .double(v) }
        if !fit.isEmpty {
            summary["sequence_fit"] = .object(JSONObject(Dictionary(fit.map { f in
                (f.dataset, JSONValue.object([
                    "records": .double(Double(f.counts.documents)), "over_length": .double(Double(f.counts.overLength)),
                    "dropped": .double(Double(f.counts.dropped)), "truncated": .double(Double(f.counts.truncated)),
                    "split": .double(Double(f.counts.split)),
                ]))
            }, uniquingKeysWith: { a, _ in a })))
        }
        try Data(JSONValue.object(JSONObject(summary)).rendered().utf8).write(to: logs.appendingPathComponent("summary.json"))
        return StageOutcome(metrics: metrics, cost: cost)
    }
}
