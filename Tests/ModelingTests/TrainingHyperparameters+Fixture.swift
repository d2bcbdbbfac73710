import Compute
import Modeling

extension TrainingHyperparameters {
    /// Settings for the small training runs of these tests, each overridable; tests set what they depend
    /// on. These are test fixtures, not Lathe's defaults: a recipe's come from `Recipes/KeyTables.swift`.
    static func fixture(learningRate: Float = 1e-2, maxSteps: Int = 100, microBatchSize: Int = 4, seed: UInt64 = 42)
        -> TrainingHyperparameters {
        TrainingHyperparameters(
            learningRate: learningRate, lrScheduler: .cosine, warmupSteps: 0, cosineMinLRRatio: 0, weightDecay: 0, maxGradNorm: 1,
            microBatchSize: microBatchSize, gradientAccumulationSteps: 1, maxSteps: maxSteps, adamBeta1: 0.9, adamBeta2: 0.999,
            adamEpsilon: 1e-8, seed: seed)
    }
}
