/// Progress a running stage reports.
public enum StageEvent: Sendable, Equatable {
    /// A step of `total` (training steps, documents…) with named values (`loss`, `lr`, `tokens_per_s`).
    case progress(step: Int, total: Int, values: [String: Double])
    /// A one-line status (`encoding datasets`): shown while the stage runs, then replaced.
    case note(String)
    /// A line worth keeping in the log (`remote cache: uploaded 3 blobs`).
    case notice(String)
    /// A problem the stage recovered from (a damaged checkpoint discarded, a remote cache that failed):
    /// kept in the log and marked as a warning.
    case warning(String)

    /// The text of a note, notice or warning.
    public var message: String? {
        switch self {
        case .note(let text), .notice(let text), .warning(let text): return text
        case .progress: return nil
        }
    }
}
