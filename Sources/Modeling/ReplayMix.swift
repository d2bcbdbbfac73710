/// General-domain rows mixed into every optimizer step of domain adaptation, against catastrophic
/// forgetting (`replay: {datasets: [...], ratio: 0.1}`).
///
/// Of the step's R = micro_batch_size × gradient_accumulation_steps rows, `rowsPerStep(R)` =
/// clamp(round(R · ratio), 1, R − 1) are replay rows, spread evenly over the step's slots, and the
/// loss weights are set so the replay targets carry exactly `ratio` of the step's loss (the domain
/// targets the rest) whatever the row count. Replay rows come from their own shuffled sampler, so
/// every replay row is seen before any repeats.
public struct ReplayMix: Sendable {
    /// The general data, laid out like the domain data (same sequence length).
    public let data: TrainingData
    /// Share of each step's loss carried by replay rows, in (0, 1).
    public let ratio: Double

    public init(data: TrainingData, ratio: Double) {
        self.data = data
        self.ratio = ratio
    }

    /// Replay rows in a step of `rows` rows.
    public func rowsPerStep(_ rows: Int) -> Int { Self.replayRows(inStep: rows, ratio: ratio) }

    /// Replay rows in a step of `rows` rows at `ratio`: clamp(round(rows · ratio), 1, rows − 1).
    public static func replayRows(inStep rows: Int, ratio: Double) -> Int {
        min(rows - 1, max(1, Int((Double(rows) * ratio).rounded())))
    }

    /// Whether global slot `g` (micro-batch × B + row) of a step is a replay slot: `replayRows`
    /// slots spread evenly over `rowsPerStep` (g·k mod R < k picks k of R slots at regular spacing).
    @inline(__always) static func isReplaySlot(_ g: Int, replayRows k: Int, rowsPerStep r: Int) -> Bool {
        k > 0 && (g * k) % r < k
    }

    func validate(rowsPerStep: Int, sequenceLength: Int) throws(ModelingError) {
        guard ratio > 0, ratio < 1 else {
            throw .invalidHyperparameters("replay ratio must be between 0 and 1 (exclusive), got \(ratio)")
        }
        guard rowsPerStep >= 2 else {
            throw .invalidHyperparameters("replay mixes general rows into every optimizer step, which needs at least 2 rows per step; "
                + "set micro_batch_size or gradient_accumulation_steps to 2 or more")
        }
        guard data.sequenceLength == sequenceLength else {
            throw .invalidData("replay rows have sequence length \(data.sequenceLength), the training data \(sequenceLength)")
        }
        guard data.rowCount > 0, data.targetCount > 0 else {
            throw .invalidData("the replay data holds no token to train on")
        }
    }
}
