import JSONText

/// Decides, without side effects, what each stage needs: up to date, restore, run (and why),
/// or wait for an upstream. `lathe status`, `--dry-run` and the executor share these rules.
///
/// Inputs are the graph, the lock file, the input hashes (from the ``HashCache``) and a read-only
/// view of the store; the output is one ``PlannedStage`` per stage in topological order.
public enum Planner {
    /// Which stages a run covers.
    public struct Selection: Sendable, Equatable {
        /// Run only these stages (their upstreams' last results are used as they are).
        public var only: Set<String>?
        /// Run this stage and everything it reads from.
        public var until: String?
        public var force: Set<String>
        public var forceAll: Bool

        public init(only: Set<String>? = nil, until: String? = nil, force: Set<String> = [], forceAll: Bool = false) {
            self.only = only
            self.until = until
            self.force = force
            self.forceAll = forceAll
        }

        public static let all = Selection()

        /// Stages a run may execute.
        public func selected(in graph: PipelineGraph) -> Set<String> {
            if let only { return only }
            if let until { return graph.upstream(of: until) }
            return Set(graph.names)
        }

        func isForced(_ name: String) -> Bool { forceAll || force.contains(name) }
    }

    public struct PlannedStage: Sendable, Equatable {
        public var name: String
        public var action: StageAction
        /// The key, when every upstream's outputs are known.
        public var key: String?
        /// The result the stage resolves to without running (up to date or restored).
        public var record: StageRecord?
    }

    /// The decision for one stage once its upstream digests are known.
    /// - Parameters:
    ///   - upstreamDigests: output digest of every upstream; a missing name means "not known yet".
    ///   - entryState: the store's view of a key (``ArtifactStore/state(of:)``).
    public static func decide(
        _ spec: StageSpec,
        lockEntry: StageRecord?,
        inputHashes: [String: String],
        upstreamDigests: [String: String],
        forced: Bool,
        entryState: (String) -> ArtifactStore.EntryState
    ) -> PlannedStage {
        if let pending = spec.upstream.first(where: { upstreamDigests[$0] == nil }) {
            return PlannedStage(name: spec.name, action: .pendingUpstream(pending), key: nil, record: nil)
        }
        let key = StageKey.compute(spec: spec, inputHashes: inputHashes, upstreamDigests: upstreamDigests)
        if forced { return PlannedStage(name: spec.name, action: .run(.forced), key: key, record: nil) }
        let state = entryState(key)
        if let lockEntry, lockEntry.key == key {
            switch state {
            case .present(let record): return PlannedStage(name: spec.name, action: .upToDate, key: key, record: record)
            case .absent: return PlannedStage(name: spec.name, action: .run(.resultAbsent), key: key, record: nil)
            case .corrupt(let why): return PlannedStage(name: spec.name, action: .run(.resultMissing(why)), key: key, record: nil)
            }
        }
        let changes = lockEntry.map { diff(spec, against: $0, inputHashes: inputHashes, upstreamDigests: upstreamDigests) } ?? []
        if case .present(let record) = state {
            return PlannedStage(name: spec.name, action: .restore(changes), key: key, record: record)
        }
        let reason: StageAction.RunReason = lockEntry == nil ? .neverRun : .changed(changes.isEmpty ? [.laterVersion] : changes)
        return PlannedStage(name: spec.name, action: .run(reason), key: key, record: nil)
    }

    /// Plans every stage. Stages that must run leave their dependents pending: their outputs, and
    /// so the dependents' keys, are unknown until they have run (an identical result stops the
    /// cascade then: early cutoff).
    public static func plan(
        _ graph: PipelineGraph,
        lock: LockFile,
        inputHashes: [String: String],
        selection: Selection = .all,
        entryState: (String) -> ArtifactStore.EntryState
    ) -> [PlannedStage] {
        let selected = selection.selected(in: graph)
        let needed = graph.upstream(ofAll: selected)
        var digests: [String: String] = [:]
        var result: [PlannedStage] = []
        result.reserveCapacity(graph.stages.count)
        for spec in graph.stages {
            guard needed.contains(spec.name) else {
                result.append(PlannedStage(name: spec.name, action: .notSelected, key: nil, record: nil))
                continue
            }
            if !selected.contains(spec.name) {
                let record = recordedResult(ofUnselected: spec.name, lock: lock, entryState: entryState)
                if let record { digests[spec.name] = record.outputDigest }
                result.append(PlannedStage(name: spec.name, action: .notSelected, key: record.flatMap { _ in lock.stages[spec.name]?.key }, record: record))
                continue
            }
            let planned = decide(
                spec, lockEntry: lock.stages[spec.name], inputHashes: inputHashes, upstreamDigests: digests,
                forced: selection.isForced(spec.name), entryState: entryState)
            if let record = planned.record { digests[spec.name] = record.outputDigest }
            result.append(planned)
        }
        return result
    }

    /// The rule for an upstream outside the selection (`--only S` reads S's upstreams as they are): it
    /// never runs, and counts as resolved by its last recorded result when the lock file names one
    /// that is intact in the store; nil means it has none, so the stages that read it are skipped.
    /// The one place this is decided: ``plan(_:lock:inputHashes:selection:entryState:)`` and the
    /// ``Executor`` both ask here.
    public static func recordedResult(
        ofUnselected name: String, lock: LockFile, entryState: (String) -> ArtifactStore.EntryState
    ) -> StageRecord? {
        guard let entry = lock.stages[name], case .present(let record) = entryState(entry.key) else { return nil }
        return record
    }

    /// What differs between the lock entry and the stage now, in a stable order.
    static func diff(
        _ spec: StageSpec, against old: StageRecord, inputHashes: [String: String], upstreamDigests: [String: String]
    ) -> [StageChange] {
        var changes: [StageChange] = []
        if old.kind != spec.kind { changes.append(.kindChanged(old: old.kind, new: spec.kind)) }
        for key in Set(old.params.keys).union(spec.params.keys).sorted(by: JSONObject.utf8Order) {
            switch (old.params[key], spec.params[key]) {
            case let (o?, n?) where o != n: changes.append(.param(key: key, old: o, new: n))
            case let (nil, n?): changes.append(.paramAdded(key: key, value: n))
            case let (o?, nil): changes.append(.paramRemoved(key: key, value: o))
            default: break
            }
        }
        for path in Set(old.inputs.keys).union(spec.inputs).sorted(by: JSONObject.utf8Order) {
            switch (old.inputs[path], inputHashes[path]) {
            case let (o?, n?) where o != n: changes.append(.inputChanged(path))
            case (nil, _?): changes.append(.inputAdded(path))
            case (_?, nil): changes.append(.inputRemoved(path))
            default: break
            }
        }
        for name in spec.upstream {
            if let digest = upstreamDigests[name], let oldDigest = old.upstream[name], digest != oldDigest {
                changes.append(.upstreamChanged(name))
            }
        }
        return changes
    }
}
