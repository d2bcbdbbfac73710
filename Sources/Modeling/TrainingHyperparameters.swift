public import Compute

/// Optimisation settings, with Axolotl's key names as Codable keys (`learning_rate`, `lr_scheduler`,
/// `warmup_steps`, `cosine_min_lr_ratio`, `weight_decay`, `max_grad_norm`, `micro_batch_size`,
/// `gradient_accumulation_steps`, `max_steps`, `adam_beta1`, `adam_beta2`, `adam_epsilon`, `seed`, `shuffle`).
///
/// Every value is required: a recipe's defaults live only in its key tables (`Recipes/KeyTables.swift`),
/// and `Stages/TrainingRun.hyperparameters` passes each one. `validate()` holds the same bounds as the
/// tables where both check a value.
public struct TrainingHyperparameters: Sendable, Hashable, Codable {
    /// Peak learning rate; > 0.
    public var learningRate: Float
    /// Decay after warm-up.
    public var lrScheduler: LearningRateSchedule.Kind
    /// Optimizer steps of linear warm-up from 0.
    public var warmupSteps: Int
    /// Floor of the decay as a fraction of the peak.
    public var cosineMinLRRatio: Float
    /// Decoupled AdamW weight decay, applied to ≥ 2-D tensors only; ≥ 0.
    public var weightDecay: Float
    /// Global gradient-norm clip; 0 disables clipping.
    public var maxGradNorm: Float
    /// Rows per micro-batch (B).
    public var microBatchSize: Int
    /// Micro-batches per optimizer step; the loss is the mean over all their targets.
    public var gradientAccumulationSteps: Int
    /// Optimizer steps to run (also the schedule's length).
    public var maxSteps: Int
    public var adamBeta1: Float
    public var adamBeta2: Float
    public var adamEpsilon: Float
    /// Seeds the row order.
    public var seed: UInt64
    /// Shuffle rows each epoch (false: in order). Not a recipe key: stages always shuffle.
    public var shuffle: Bool

    public init(learningRate: Float, lrScheduler: LearningRateSchedule.Kind, warmupSteps: Int, cosineMinLRRatio: Float,
                weightDecay: Float, maxGradNorm: Float, microBatchSize: Int, gradientAccumulationSteps: Int, maxSteps: Int,
                adamBeta1: Float, adamBeta2: Float, adamEpsilon: Float, seed: UInt64, shuffle: Bool = true) {
        self.learningRate = learningRate
        self.lrScheduler = lrScheduler
        self.warmupSteps = warmupSteps
        self.cosineMinLRRatio = cosineMinLRRatio
        self.weightDecay = weightDecay
        self.maxGradNorm = maxGradNorm
        self.microBatchSize = microBatchSize
        self.gradientAccumulationSteps = gradientAccumulationSteps
        self.maxSteps = maxSteps
        self.adamBeta1 = adamBeta1
        self.adamBeta2 = adamBeta2
        self.adamEpsilon = adamEpsilon
        self.seed = seed
        self.shuffle = shuffle
    }

    enum CodingKeys: String, CodingKey {
        case learningRate = "learning_rate", lrScheduler = "lr_scheduler", warmupSteps = "warmup_steps"
        case cosineMinLRRatio = "cosine_min_lr_ratio", weightDecay = "weight_decay", maxGradNorm = "max_grad_norm"
        case microBatchSize = "micro_batch_size", gradientAccumulationSteps = "gradient_accumulation_steps"
        case maxSteps = "max_steps", adamBeta1 = "adam_beta1", adamBeta2 = "adam_beta2", adamEpsilon = "adam_epsilon"
        case seed, shuffle
    }

    /// The schedule these settings describe.
    public var schedule: LearningRateSchedule {
        LearningRateSchedule(kind: lrScheduler, peak: learningRate, warmupSteps: warmupSteps, totalSteps: maxSteps,
                             minRatio: cosineMinLRRatio)
    }

    /// The AdamW settings these describe.
    public var adamW: AdamWSettings {
        AdamWSettings(beta1: adamBeta1, beta2: adamBeta2, epsilon: adamEpsilon, weightDecay: weightDecay)
    }

    /// The bounds of the recipe's key tables, for callers that do not come through a recipe.
    func validate() throws(ModelingError) {
        func fail(_ s: String) throws(ModelingError) { throw ModelingError.invalidHyperparameters(s) }
        if !(learningRate > 0) { try fail("learning_rate must be greater than 0, got \(learningRate)") }
        if microBatchSize < 1 { try fail("micro_batch_size must be at least 1, got \(microBatchSize)") }
        if gradientAccumulationSteps < 1 { try fail("gradient_accumulation_steps must be at least 1") }
        if maxSteps < 0 { try fail("max_steps must be ≥ 0") }
        if warmupSteps < 0 { try fail("warmup_steps must be ≥ 0") }
        if !(weightDecay >= 0) { try fail("weight_decay must be at least 0, got \(weightDecay)") }
        if !(0..<1).contains(adamBeta1) || !(0..<1).contains(adamBeta2) { try fail("adam_beta1 and adam_beta2 must be in [0, 1)") }
        if !(adamEpsilon > 0) { try fail("adam_epsilon must be positive") }
    }
}
