public import Compute

/// Optimisation settings, with Axolotl's key names as Codable keys (`learning_rate`, `lr_scheduler`,
/// `warmup_steps`, `cosine_min_lr_ratio`, `weight_decay`, `max_grad_norm`, `micro_batch_size`,
/// `gradient_accumulation_steps`, `max_steps`, `adam_beta1`, `adam_beta2`, `adam_epsilon`, `seed`, `shuffle`).
public struct TrainingHyperparameters: Sendable, Hashable, Codable {
    /// Peak learning rate.
    public var learningRate: Float = 3e-4
    /// Decay after warm-up.
    public var lrScheduler: LearningRateSchedule.Kind = .cosine
    /// Optimizer steps of linear warm-up from 0.
    public var warmupSteps: Int = 0
    /// Floor of the decay as a fraction of the peak.
    public var cosineMinLRRatio: Float = 0
    /// Decoupled AdamW weight decay, applied to ≥ 2-D tensors only.
    public var weightDecay: Float = 0
    /// Global gradient-norm clip; ≤ 0 disables clipping.
    public var maxGradNorm: Float = 1
    /// Rows per micro-batch (B).
    public var microBatchSize: Int = 4
    /// Micro-batches per optimizer step; the loss is the mean over all their targets.
    public var gradientAccumulationSteps: Int = 1
    /// Optimizer steps to run (also the schedule's length).
    public var maxSteps: Int = 100
    public var adamBeta1: Float = 0.9
    public var adamBeta2: Float = 0.999
    public var adamEpsilon: Float = 1e-8
    /// Seeds the row order.
    public var seed: UInt64 = 42
    /// Shuffle rows each epoch (false: in order).
    public var shuffle: Bool = true

    public init() {}

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

    func validate() throws(ModelingError) {
        func fail(_ s: String) throws(ModelingError) { throw ModelingError.invalidHyperparameters(s) }
        if !(learningRate >= 0) { try fail("learning_rate must be ≥ 0, got \(learningRate)") }
        if microBatchSize < 1 { try fail("micro_batch_size must be at least 1, got \(microBatchSize)") }
        if gradientAccumulationSteps < 1 { try fail("gradient_accumulation_steps must be at least 1") }
        if maxSteps < 0 { try fail("max_steps must be ≥ 0") }
        if warmupSteps < 0 { try fail("warmup_steps must be ≥ 0") }
        if !(0..<1).contains(adamBeta1) || !(0..<1).contains(adamBeta2) { try fail("adam_beta1 and adam_beta2 must be in [0, 1)") }
        if !(adamEpsilon > 0) { try fail("adam_epsilon must be positive") }
    }
}
