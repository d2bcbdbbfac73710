/// What a run does when a stage fails: the executor's error policy, kept apart from scheduling.
///
/// - Fail-fast by default: no new stage starts after a failure (running ones finish and publish);
///   `keepGoing` lets independent branches finish. Dependents of a failed stage are skipped either way.
/// - A stage whose upstream's stored result failed its deep check is sent back once, after that
///   upstream is recomputed; a second corruption fails it.
/// - An interrupted run starts nothing new.
struct FailurePolicy {
    /// What to do with one failed execution.
    enum Response: Equatable {
        /// Recompute `upstream` (its result was quarantined) and run the stage again after it.
        case recompute(upstream: String)
        /// The stage failed for good.
        case fail
    }

    let keepGoing: Bool
    /// Set after a failure (unless `keepGoing`) or an interruption: the scheduler starts no new stage.
    private(set) var stopsScheduling = false
    /// Stages already sent back once for a corrupt upstream.
    private var requeued: Set<String> = []

    init(keepGoing: Bool) { self.keepGoing = keepGoing }

    /// Decides on `failure` of `stage`; a final failure stops scheduling unless the run keeps going.
    mutating func respond(to failure: StageFailure, of stage: String) -> Response {
        if let upstream = failure.corruptUpstream, requeued.insert(stage).inserted {
            return .recompute(upstream: upstream)
        }
        if !keepGoing { stopsScheduling = true }
        return .fail
    }

    /// The run was interrupted: start nothing new.
    mutating func interrupt() { stopsScheduling = true }

    /// Why a stage still pending when the run ends was skipped.
    /// - Parameter blocked: stages that failed or were skipped.
    static func skipReason(for spec: StageSpec, blocked: Set<String>, cancelled: Bool) -> String {
        if cancelled { return "interrupted" }
        if let blocker = spec.upstream.first(where: { blocked.contains($0) }) { return blockedReason(blocker) }
        return "an earlier stage failed"
    }

    /// The reason given for a stage whose upstream `blocker` failed or was skipped.
    static func blockedReason(_ blocker: String) -> String { "upstream '\(blocker)' did not produce a result" }
}
