import Recipes

extension TrainingParams {
    /// Data-parallel workers of a full fine-tuning step with `deterministic: true`: a fixed count
    /// (`threads` when set, else 2), because each worker sums its rows' gradients and the workers'
    /// sums are added in order, so the count changes the last bits; nil otherwise (one per thread).
    /// Splitting an sgemm across threads does not change them (a LoRA stage, which trains with one
    /// worker, gave one result with 1, 2 and 3 threads), so only this split needs pinning.
    var dataParallelWorkers: Int? {
        deterministic ? (threads ?? TrainingParams.deterministicWorkers) : nil
    }

    /// The worker count of `deterministic: true` without `threads:` (a machine with more cores leaves them idle).
    static let deterministicWorkers = 2
}
