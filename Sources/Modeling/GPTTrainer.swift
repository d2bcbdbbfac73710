public import Cluster
public import Compute
import Dispatch

/// Trains a `GPTModel` on `TrainingData` with AdamW: the API every training stage calls.
///
/// ```swift
/// let trainer = try GPTTrainer(model: model, data: data, hyperparameters: hp, freezing: .none)
/// let last = trainer.train { report in report.loss.isFinite ? .proceed : .stop }
/// ```
/// A step samples `gradient_accumulation_steps` micro-batches of `micro_batch_size` rows, weights every
/// target by 1 / (targets in the whole step), accumulates gradients, clips the global norm, and applies
/// AdamW at the scheduled learning rate. Nothing allocates inside a step. The trainer never prints.
///
/// Across processes (`ranks` of an `mpirun` job): a step's rows (the global batch, micro_batch_size ×
/// gradient_accumulation_steps) split into contiguous shares, rank r taking rows
/// ⌊r·R/N⌋ ..< ⌊(r+1)·R/N⌋ in micro-batches of at most micro_batch_size (llm.c's loader offsets by rank
/// the same way). Every rank draws the whole step's row order (so samplers and checkpoints agree),
/// fills only its own rows, learns the step's target counts by a sum over ranks, and after backward
/// sums the trainable gradients with `MPI_Allreduce`; every rank then applies the same AdamW step.
/// The result equals one process with the same global batch up to float rounding.
public final class GPTTrainer: @unchecked Sendable {
    public let model: GPTModel
    public let data: TrainingData
    public let hyperparameters: TrainingHyperparameters
    /// The processes sharing each step (``Ranks/single`` for one process).
    public let ranks: Ranks
    /// This rank's rows of every step, as positions 0 ..< rows per step.
    public let localRows: Range<Int>
    /// Position in the step of each local micro-batch's first row (`batches[k]` holds rows
    /// `batchStarts[k] ..< batchStarts[k] + batches[k].batchSize`).
    let batchStarts: [Int]
    /// Contiguous runs of trainable gradients (arena, first float, count), summed over ranks per step.
    let reduceRuns: [(arena: Arena, offset: Int, count: Int)]
    /// Optimizer steps completed.
    public internal(set) var step = 0
    /// Row order and data cursor.
    public internal(set) var sampler: BatchSampler
    /// Free randomness for future stochastic layers (e.g. LoRA dropout); saved in checkpoints.
    public internal(set) var rng: SeededGenerator
    /// General-data rows mixed into every step (domain adaptation's replay), or nil.
    public let replay: ReplayMix?
    /// Row order and cursor of the replay rows (unused without `replay`).
    public internal(set) var replaySampler: BatchSampler
    /// Masked-LM training (a model with `maskedLMHead` on `TrainingData.maskedLM` rows): every row of
    /// every step is corrupted afresh, from `MaskedLMMasking.generator(seed:step:row:)`; nil otherwise.
    public let maskedLM: MaskedLMSettings?

    /// AdamW moments for trainable tensors only: m then v, each `momentCount` floats.
    let moments: Arena
    let momentCount: Int
    /// Each trainable tensor: its arena (the model's, or the adapters'), parameter and gradient offsets in
    /// it, count, moment offset and whether it decays. Base tensors in layout order, then adapter tensors.
    let segments: [TrainableSegment]
    var batches: [TokenBatch]
    /// Data parallelism (several threads, no adapters, ≥ 2 rows per micro-batch): worker w runs whole
    /// forward and backward passes on its share of each micro-batch's rows, on `model` (w = 0) or its
    /// replica `replicas[w − 1]`; the replicas' gradients are then added to the model's in worker order.
    /// One synchronisation per micro-batch instead of one per kernel, and every sgemm single-threaded.
    let replicas: [GPTModel]
    /// Each worker's rows of each micro-batch: `shards[k][w]`.
    var shards: [[TokenBatch]]
    /// Each worker's loss of the current micro-batch.
    let workerLosses: Arena

    /// - Throws: `ModelingError` when the data's sequence length exceeds `n_positions`, the data holds no
    ///   targets, the settings are out of range, or a freezing pattern is invalid.
    /// - Parameter replay: general data mixed into every optimizer step (see ``ReplayMix``).
    /// - Parameter workers: data-parallel workers (see `replicas`); nil means the engine's thread count.
    ///   Capped by the micro-batch size; 1 with adapters. Results are reproducible for a given count.
    /// - Parameter ranks: the processes splitting each step's rows (every rank must construct its trainer
    ///   with the same model, data and settings). Needs at least one row per rank and no LoRA dropout.
    /// - Parameter maskedLM: the corruption of a masked-LM run; required exactly when the model has the
    ///   masked-LM head (then `data` must be `TrainingData.maskedLM` rows and `replay` nil).
    public init(model: GPTModel, data: TrainingData, hyperparameters hp: TrainingHyperparameters, freezing: Freezing = .none,
                replay: ReplayMix? = nil, workers: Int? = nil, ranks: Ranks = .single, maskedLM: MaskedLMSettings? = nil) throws(ModelingError) {
        try hp.validate()
        guard model.config.maskedLMHead == (maskedLM != nil), maskedLM == nil || (data.maskedTargets != nil && replay == nil) else {
            throw .invalidHyperparameters(model.config.maskedLMHead
                ? "a model with the masked-LM head trains on masked-LM rows with masking settings and no replay data"
                : "masking settings need a model with the masked-LM head (BertForMaskedLM)")
        }
        if let maskedLM, !(maskedLM.probability > 0 && maskedLM.probability < 1) || maskedLM.vocabSize < 1 || maskedLM.vocabSize > model.config.vocabSize || maskedLM.maskId < 0 || maskedLM.maskId >= model.config.vocabSize {
            throw .invalidHyperparameters("mlm_probability must be between 0 and 1 (exclusive) and [MASK] an id of the vocabulary")
        }
        self.maskedLM = maskedLM
        let rowsPerStep = hp.microBatchSize * hp.gradientAccumulationSteps
        guard rowsPerStep >= ranks.size else {
            let steps = (ranks.size + hp.microBatchSize - 1) / hp.microBatchSize
            throw .invalidHyperparameters("micro_batch_size × gradient_accumulation_steps is \(rowsPerStep) rows per optimizer step, fewer than the \(ranks.size) ranks splitting it (each rank needs at least one row). Set gradient_accumulation_steps to at least \(steps), or start fewer ranks.")
        }
        if ranks.isDistributed, let dropout = model.adapters?.config.dropout, dropout > 0 {
            throw .invalidHyperparameters("lora_dropout \(dropout) cannot be used with \(ranks.size) ranks (each rank would draw different dropout masks, so the run would depend on the rank count). Set lora_dropout: 0, or run one process.")
        }
        if let replay {
            try replay.validate(rowsPerStep: hp.microBatchSize * hp.gradientAccumulationSteps, sequenceLength: data.sequenceLength)
        }
        guard data.sequenceLength <= model.config.nPositions else {
            throw .invalidData("sequence_len \(data.sequenceLength) is longer than the model's n_positions \(model.config.nPositions)")
        }
        guard data.rowCount > 0, data.targetCount > 0 else {
            throw .invalidData("no token carries loss (is every label masked, e.g. train_on_inputs: false with empty responses?)")
        }
        if let adapters = model.adapters {
            guard freezing == .none else {
                throw .invalidHyperparameters("layer freezing options cannot be combined with LoRA adapters (the base is frozen already; use lora_modules_to_save to train base modules)")
            }
            try model.freeze(adapters.config.baseFreezing())
        } else {
            try model.freeze(freezing)
        }
        self.model = model
        self.data = data
        hyperparameters = hp
        self.ranks = ranks
        let local = GPTModel.rows(of: ranks.rank, workers: ranks.size, batchSize: rowsPerStep)
        localRows = local
        batchStarts = Array(stride(from: local.lowerBound, to: local.upperBound, by: hp.microBatchSize))
        sampler = BatchSampler(rowCount: data.rowCount, seed: hp.seed, shuffle: hp.shuffle)
        rng = SeededGenerator(seed: hp.seed ^ 0xD1B5_4A32_D192_ED03)
        self.replay = replay
        replaySampler = BatchSampler(rowCount: max(1, replay?.data.rowCount ?? 1), seed: hp.seed ^ 0x2E9A_7000_5EED_0001, shuffle: true)
        var segs: [TrainableSegment] = []
        var m = 0
        let total = model.layout.totalCount
        for (i, p) in model.layout.parameters.enumerated() where model.trainable[i] {
            segs.append(TrainableSegment(arena: model.storage, offset: p.offset, gradient: total + p.offset, count: p.count, moment: m, decays: p.decays))
            m += p.count
        }
        if let adapters = model.adapters {
            // LoRA A and B are matrices, so they decay like any ≥ 2-D weight (HF Trainer / PEFT behaviour).
            for (_, shape, offset) in adapters.parameterShapes {
                let n = shape.reduce(1, *)
                segs.append(TrainableSegment(arena: adapters.storage, offset: offset, gradient: adapters.parameterCount + offset,
                                             count: n, moment: m, decays: true))
                m += n
            }
        }
        segments = segs
        var runs: [(arena: Arena, offset: Int, count: Int)] = []
        for s in segs {
            if let last = runs.last, last.arena === s.arena, last.offset + last.count == s.gradient {
                runs[runs.count - 1].count += s.count
            } else {
                runs.append((s.arena, s.gradient, s.count))
            }
        }
        reduceRuns = runs
        momentCount = m
        moments = Arena(count: 2 * m)
        batches = batchStarts.map { start in
            TokenBatch(batchSize: min(hp.microBatchSize, local.upperBound - start), sequenceLength: data.sequenceLength)
        }
        let smallest = batches.map(\.batchSize).min() ?? 1
        let workers = model.adapters == nil ? max(1, min(workers ?? ComputeThreads.configured, smallest)) : 1
        replicas = workers > 1 ? (1..<workers).map { _ in GPTModel(replicaOf: model) } : []
        shards = workers > 1 ? batches.map { batch in
            (0..<workers).map { w in
                TokenBatch(batchSize: GPTModel.rows(of: w, workers: workers, batchSize: batch.batchSize).count,
                           sequenceLength: data.sequenceLength)
            }
        } : []
        workerLosses = Arena(count: workers)
    }

    /// Floats the replicas hold (gradients and activations), for memory accounting.
    public var replicaFloats: Int { replicas.reduce(0) { $0 + $1.allocatedFloats } }

    /// Forward and backward of micro-batch `k` (weights already scaled), adding into the model's
    /// gradients; returns its loss.
    func accumulate(_ k: Int) -> Float {
        guard !replicas.isEmpty else {
            let loss = model.forward(batches[k])
            model.backward(batches[k])
            return loss
        }
        let workers = replicas.count + 1
        for w in 0..<workers {
            shards[k][w].copyRows(GPTModel.rows(of: w, workers: workers, batchSize: batches[k].batchSize), of: batches[k])
        }
        for r in replicas { r.trainable = model.trainable }
        let losses = workerLosses.base
        Parallel.forEachChunk(workers, costPerItem: 1 << 30) { range in
            for w in range {
                let m = w == 0 ? model : replicas[w - 1]
                if w > 0 { m.zeroGradients() }  // each replica clears its own buffer, in parallel
                losses[w] = m.forward(shards[k][w])
                m.backward(shards[k][w])
            }
        }
        // Replica gradients into the model's, in worker order (the same sums for every run).
        let n = model.layout.totalCount
        for r in replicas {
            let src = r.gradientBase, dst = model.gradientBase
            Parallel.forEachChunk(n, costPerItem: 1) { range in
                VectorMath.axpy(1, src + range.lowerBound, dst + range.lowerBound, range.count)
            }
        }
        var loss: Float = 0
        for w in 0..<workers { loss += losses[w] }
        return loss
    }

    /// Number of trainable parameters (those with optimizer state).
    public var trainableParameterCount: Int { momentCount }

    /// Runs one optimizer step and reports it.
    public func trainStep() -> StepReport {
        let start = DispatchTime.now().uptimeNanoseconds
        let hp = hyperparameters
        // 1. sample all micro-batches, so the loss weights can be normalised over the whole step
        //    (replay rows take their evenly spread slots; see ReplayMix)
        let rowsPerStep = hp.microBatchSize * hp.gradientAccumulationSteps
        let replayRows = replay?.rowsPerStep(rowsPerStep) ?? 0
        //    (every rank draws every row of the step, in order, and fills only its own)
        var targets = 0, replayTargets = 0
        for g in 0..<rowsPerStep {
            let isReplay = ReplayMix.isReplaySlot(g, replayRows: replayRows, rowsPerStep: rowsPerStep)
            let fromReplay = isReplay && replay != nil
            let row = fromReplay ? replaySampler.next() : sampler.next()
            guard localRows.contains(g) else { continue }
            let k = (g - localRows.lowerBound) / hp.microBatchSize, slot = g - batchStarts[k]
            if fromReplay, let replay {
                replay.data.fill(&batches[k], slot: slot, row: row)
            } else {
                data.fill(&batches[k], slot: slot, row: row)
            }
            if let maskedLM {
                var generator = MaskedLMMasking.generator(seed: hp.seed, step: step, row: g)
                MaskedLMMasking.mask(&batches[k], slot: slot, settings: maskedLM, generator: &generator)
            }
            let n = batches[k].targetCount(slot: slot)
            if isReplay { replayTargets += n } else { targets += n }
        }
        if ranks.isDistributed {
            let counts = ranks.sum([Double(targets), Double(replayTargets)])
            targets = Int(counts[0])
            replayTargets = Int(counts[1])
        }
        // Replay rows carry `ratio` of the step's loss, the domain rows the rest; without one of
        // the two kinds every target weighs the same.
        let ratio = Float(replay?.ratio ?? 0)
        let mixed = targets > 0 && replayTargets > 0
        let domainScale = targets == 0 ? 0 : (mixed ? 1 - ratio : 1) / Float(targets)
        let replayScale = replayTargets == 0 ? 0 : (mixed ? ratio : 1) / Float(replayTargets)
        for k in batches.indices {
            for slot in 0..<batches[k].batchSize {
                let g = batchStarts[k] + slot
                let scale = ReplayMix.isReplaySlot(g, replayRows: replayRows, rowsPerStep: rowsPerStep) ? replayScale : domainScale
                batches[k].scaleWeights(slot: slot, by: scale)
            }
        }
        targets += replayTargets
        // 2. accumulate gradients
        model.zeroGradients()
        var loss: Float = 0
        // LoRA dropout draws its masks from the trainer's generator (saved in checkpoints) during training only
        let dropout = model.adapters.map { $0.config.dropout > 0 } ?? false
        if dropout { model.adapters?.dropoutGenerator = rng }
        for k in batches.indices { loss += accumulate(k) }
        if dropout, let generator = model.adapters?.dropoutGenerator {
            rng = generator
            model.adapters?.dropoutGenerator = nil
        }
        // 2b. across ranks: sum the trainable gradients and the losses (every rank gets the same bits)
        if ranks.isDistributed {
            for run in reduceRuns { ranks.sum(run.arena.base + run.offset, count: run.count) }
            loss = Float(ranks.sum([Double(loss)])[0])
        }
        // 3. clip, schedule, update
        var sq = 0.0
        for s in segments { sq += VectorMath.sumOfSquares(s.arena.base + s.gradient, s.count) }
        let norm = sq.squareRoot()
        let factor = GradientClipping.scale(norm: norm, maxNorm: Double(hp.maxGradNorm))
        let lr = hp.schedule.learningRate(at: step)
        step += 1
        let settings = hp.adamW
        for s in segments {
            GradientClipping.apply(factor, to: s.arena.base + s.gradient, n: s.count)
            AdamW.update(params: s.arena.base + s.offset, grads: s.arena.base + s.gradient,
                         m: moments.base + s.moment, v: moments.base + momentCount + s.moment, n: s.count,
                         learningRate: lr, settings: settings, decay: s.decays, step: step)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let tokens = hp.microBatchSize * data.sequenceLength * hp.gradientAccumulationSteps
        return StepReport(step: step, loss: loss, learningRate: lr, gradNorm: Float(norm),
                          tokensPerSecond: Double(tokens) / max(seconds, 1e-9), targetTokens: targets,
                          epoch: Double(sampler.cursor) / Double(data.rowCount))
    }

    /// Trains until `max_steps` optimizer steps are done or `progress` returns `.stop`; returns the last
    /// report (nil when no step ran). Calls `progress` after every step.
    @discardableResult
    public func train(progress: (StepReport) -> TrainingDisposition = { _ in .proceed }) -> StepReport? {
        var last: StepReport?
        while step < hyperparameters.maxSteps {
            let r = trainStep()
            last = r
            if progress(r) == .stop { break }
        }
        return last
    }
}
