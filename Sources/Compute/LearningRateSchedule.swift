import Foundation

/// Learning-rate schedules with linear warm-up, following Hugging Face `transformers`
/// (`get_constant_schedule_with_warmup`, `get_linear_schedule_with_warmup`,
/// `get_cosine_schedule_with_warmup`), which Axolotl's `lr_scheduler` names select.
public struct LearningRateSchedule: Sendable, Hashable, Codable {
    /// The decay after warm-up.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case constant, linear, cosine
    }

    public var kind: Kind
    public var peak: Float
    public var warmupSteps: Int
    public var totalSteps: Int
    /// Floor of the cosine decay as a fraction of `peak` (Axolotl `cosine_min_lr_ratio`; 0 = HF default).
    /// Linear decay ignores it: HF's `get_linear_schedule_with_warmup` always ends at 0.
    public var minRatio: Float

    public init(kind: Kind, peak: Float, warmupSteps: Int = 0, totalSteps: Int, minRatio: Float = 0) {
        self.kind = kind; self.peak = peak; self.warmupSteps = warmupSteps; self.totalSteps = totalSteps
        self.minRatio = minRatio
    }

    /// Learning rate for optimizer step `step` (0-based), exactly HF's multiplier: warm-up is
    /// peak·step/warmupSteps (so step 0 of a warm-up runs at 0), then decay over the remaining
    /// `totalSteps − warmupSteps` steps.
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return peak * Float(step) / Float(warmupSteps) }
        let decaySteps = max(1, totalSteps - warmupSteps)
        let progress = min(1, Float(step - warmupSteps) / Float(decaySteps))
        switch kind {
        case .constant: return peak
        case .linear: return peak * (1 - progress)
        case .cosine: return peak * (minRatio + (1 - minRatio) * 0.5 * (1 + cosf(Float.pi * progress)))
        }
    }
}
