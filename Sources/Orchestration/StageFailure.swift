/// Why one stage execution produced no result, as the executor's scheduling thread receives it.
struct StageFailure: Error, CustomStringConvertible {
    /// The user-facing message (the runner's error, a changed input, a corrupt upstream).
    let message: String
    /// Set when the stage did not run because this upstream's stored result was corrupt.
    var corruptUpstream: String? = nil
    var description: String { message }
}
