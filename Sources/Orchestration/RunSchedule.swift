/// The scheduling state of one run: the stages still to decide, in topological order, and the result
/// each resolved stage stands for. It hands out the next stage whose upstreams are all resolved or
/// one that can never run (an upstream failed or was skipped); it owns no threads and runs nothing.
///
/// Upstreams outside the selection are resolved at the start by ``Planner/recordedResult(ofUnselected:lock:entryState:)``.
/// - Complexity: each ``next(canStart:)`` scans the pending list, O(stages × upstreams).
struct RunSchedule {
    /// A stage taken off the pending list.
    enum Next {
        /// Every upstream is resolved: decide it and maybe run it.
        case ready(StageSpec)
        /// `blocker`, one of its upstreams, failed or was skipped: it is skipped.
        case blocked(StageSpec, blocker: String)
    }

    /// The result of every stage resolved so far (up to date, restored, run, or recorded and unselected).
    private(set) var records: [String: StageRecord] = [:]
    /// `records[name].outputDigest`, kept in step with `records` (what ``Planner/decide`` reads).
    private(set) var digests: [String: String] = [:]
    /// Stages that failed or were skipped.
    private(set) var blocked: Set<String> = []
    /// Stages not yet decided, in topological order.
    private(set) var pending: [StageSpec]

    /// The schedule of `selected` stages; unselected stages in `needed` are resolved from the lock now.
    init(graph: PipelineGraph, selected: Set<String>, needed: Set<String>, lock: LockFile,
         entryState: (String) -> ArtifactStore.EntryState) {
        pending = []
        for spec in graph.stages where needed.contains(spec.name) {
            if selected.contains(spec.name) {
                pending.append(spec)
            } else if let record = Planner.recordedResult(ofUnselected: spec.name, lock: lock, entryState: entryState) {
                resolve(spec.name, record)
            } else {
                blocked.insert(spec.name)
            }
        }
    }

    /// Takes the first pending stage that is blocked, or ready when `canStart`; nil when there is none.
    mutating func next(canStart: Bool) -> Next? {
        for (index, spec) in pending.enumerated() {
            if let blocker = spec.upstream.first(where: { blocked.contains($0) }) {
                pending.remove(at: index)
                blocked.insert(spec.name)
                return .blocked(spec, blocker: blocker)
            }
            if canStart && spec.upstream.allSatisfy({ records[$0] != nil }) {
                pending.remove(at: index)
                return .ready(spec)
            }
        }
        return nil
    }

    /// Puts a stage taken by ``next(canStart:)`` back at the front (the run was interrupted before it started).
    mutating func putBack(_ spec: StageSpec) { pending.insert(spec, at: 0) }

    /// Appends `spec` to the pending list (a stage sent back, or an upstream to recompute).
    mutating func requeue(_ spec: StageSpec) { pending.append(spec) }

    /// Records the result `name` stands for.
    mutating func resolve(_ name: String, _ record: StageRecord) {
        records[name] = record
        digests[name] = record.outputDigest
    }

    /// Forgets `name`'s result (it was quarantined); true when it had one.
    mutating func unresolve(_ name: String) -> Bool {
        digests[name] = nil
        return records.removeValue(forKey: name) != nil
    }

    /// Marks `name` failed or skipped: its dependents will be skipped.
    mutating func block(_ name: String) { blocked.insert(name) }

    /// Takes every stage still pending (the run ends), in order.
    mutating func drain() -> [StageSpec] {
        defer { pending = [] }
        return pending
    }
}
