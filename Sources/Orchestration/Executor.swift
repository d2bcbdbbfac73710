public import Foundation

/// Runs a planned pipeline: decides each stage when its upstreams are resolved (so an upstream that
/// reran to identical bytes leaves its dependents up to date: early cutoff), executes what must
/// run on up to `jobs` threads, publishes results atomically and writes the lock file once.
///
/// It owns the run's loop and its ``Summary``; the parts live apart, each with one job:
/// ``RunSchedule`` (which stage is next), ``Planner`` (what a stage needs, and the rule for upstreams
/// outside the selection), ``FailurePolicy`` (fail-fast or keep going, corrupt upstreams, skips),
/// ``StageExecution`` (one stage on a worker thread, publishing) and ``LockReconciler`` (the lock file).
public final class Executor: @unchecked Sendable {
    public struct Options: Sendable {
        public var jobs: Int
        public var keepGoing: Bool
        public var selection: Planner.Selection
        public init(jobs: Int = 1, keepGoing: Bool = false, selection: Planner.Selection = .all) {
            self.jobs = max(1, jobs)
            self.keepGoing = keepGoing
            self.selection = selection
        }
    }

    public enum Event: Sendable {
        /// Resolved without executing: up to date or restored from the store.
        case resolved(stage: String, action: StageAction)
        case started(stage: String, reason: String)
        case progress(stage: String, event: StageEvent)
        case finished(stage: String, seconds: Double, record: StageRecord)
        case failed(stage: String, message: String)
        case skipped(stage: String, reason: String)
    }

    public struct Summary: Sendable {
        public var executed: [String] = []
        public var restored: [String] = []
        public var upToDate: [String] = []
        public var failed: [String] = []
        public var skipped: [String] = []
        public var lockWritten = false
        public var lock: LockFile
        /// Data files read to hash them (zero on a no-op run).
        public var filesHashed = 0
        /// Damaged bookkeeping found and recovered from (an unreadable lock file, a damaged hash
        /// memo), each naming its file; the CLI prints them as warnings.
        public var warnings: [String] = []
        /// No stage failed and none was skipped (a skipped stage, e.g. `--only S` without S's upstream
        /// results, produced nothing the user asked for).
        public var succeeded: Bool { failed.isEmpty && skipped.isEmpty }
    }

    let graph: PipelineGraph
    let store: ArtifactStore
    let projectRoot: URL
    let lockURL: URL
    let recipeName: String
    let runner: any StageRunner
    let cancel: CancellationFlag
    /// Shared results (`--remote`): looked up before a stage runs, sent after it publishes.
    let remote: RemoteCache?

    public init(
        graph: PipelineGraph, store: ArtifactStore, projectRoot: URL, lockURL: URL, recipeName: String,
        runner: any StageRunner, cancel: CancellationFlag = CancellationFlag(), remote: RemoteCache? = nil
    ) {
        self.remote = remote
        self.graph = graph
        self.store = store
        self.projectRoot = projectRoot
        self.lockURL = lockURL
        self.recipeName = recipeName
        self.runner = runner
        self.cancel = cancel
    }

    /// Hashes the inputs of the stages a selection needs, through the memo.
    public static func hashInputs(
        of graph: PipelineGraph, needed: Set<String>, projectRoot: URL, cache: HashCache
    ) throws(OrchestrationError) -> [String: String] {
        var hashes: [String: String] = [:]
        // String concatenation, not URL.appendingPathComponent: the latter stats every path it builds.
        let rootPath = projectRoot.path
        for spec in graph.stages where needed.contains(spec.name) {
            for path in spec.inputs where hashes[path] == nil {
                hashes[path] = try cache.hash(path: rootPath + "/" + path, root: rootPath)
            }
        }
        return hashes
    }

    /// Executes the pipeline. Call while holding the ``StoreLock``.
    ///
    /// Drives the run and owns only the loop: ``LockReconciler`` reads and rebuilds the lock file,
    /// ``RunSchedule`` says which stage is next, ``Planner/decide`` what it needs, ``FailurePolicy``
    /// what a failure does, and ``StageExecution`` runs a stage on its worker thread.
    /// - Parameter onEvent: called from worker threads too; must be thread-safe.
    public func run(options: Options, onEvent: @escaping @Sendable (Event) -> Void) throws(OrchestrationError) -> Summary {
        try StoreMarker.adopt(store.root)
        store.removeStaleWork()
        let lockFile = LockReconciler(url: lockURL, recipe: recipeName)
        let oldLock = lockFile.old
        var summary = Summary(lock: oldLock)
        if let damaged = lockFile.damaged { summary.warnings.append(damaged) }
        let cache = HashCache(fileURL: store.hashCacheURL)
        if let why = cache.discarded { summary.warnings.append(why) }
        let selected = options.selection.selected(in: graph)
        let needed = graph.upstream(ofAll: selected)
        let inputHashes = try Executor.hashInputs(of: graph, needed: needed, projectRoot: projectRoot, cache: cache)
        try cache.saveIfNeeded()
        let inputFiles = cache.observed
        summary.filesHashed = cache.filesHashed

        var schedule = RunSchedule(graph: graph, selected: selected, needed: needed, lock: oldLock, entryState: store.state(of:))
        var policy = FailurePolicy(keepGoing: options.keepGoing)
        var running = 0
        let completions = CompletionQueue()

        while true {
            // Start every stage whose upstreams are all resolved, while a thread is free.
            scheduling: while !policy.stopsScheduling, let next = schedule.next(canStart: running < options.jobs) {
                let spec: StageSpec
                switch next {
                case .blocked(let blockedSpec, let blocker):
                    summary.skipped.append(blockedSpec.name)
                    onEvent(.skipped(stage: blockedSpec.name, reason: FailurePolicy.blockedReason(blocker)))
                    continue scheduling
                case .ready(let readySpec):
                    spec = readySpec
                }
                let planned = Planner.decide(
                    spec, lockEntry: oldLock.stages[spec.name], inputHashes: inputHashes, upstreamDigests: schedule.digests,
                    forced: options.selection.isForced(spec.name), entryState: store.state(of:))
                switch planned.action {
                case .upToDate, .restore:
                    schedule.resolve(spec.name, planned.record!)
                    if case .upToDate = planned.action { summary.upToDate.append(spec.name) } else { summary.restored.append(spec.name) }
                    onEvent(.resolved(stage: spec.name, action: planned.action))
                case .run(let reason):
                    if let remote, reason != .forced, !cancel.isSet,
                       let record = restoreFromRemote(remote, spec.name, key: planned.key!, summary: &summary, onEvent: onEvent) {
                        schedule.resolve(spec.name, record)
                        summary.restored.append(spec.name)
                        continue scheduling
                    }
                    if cancel.isSet {
                        // Interrupted: start nothing new; the stage stays pending and is reported skipped.
                        schedule.putBack(spec)
                        policy.interrupt()
                        break scheduling
                    }
                    running += 1
                    onEvent(.started(stage: spec.name, reason: reason.description))
                    StageExecution(
                        spec: spec, key: planned.key!, inputHashes: inputHashes, inputFiles: inputFiles,
                        upstream: spec.upstream.map { schedule.records[$0]! }, store: store, projectRoot: projectRoot,
                        runner: runner, cancel: cancel, remote: remote
                    ).start(onEvent: onEvent, completions: completions)
                case .pendingUpstream, .notSelected:
                    // Unreachable: every upstream is resolved here.
                    schedule.block(spec.name)
                }
            }
            if running == 0 { break }
            let done = completions.wait()
            running -= 1
            switch done.result {
            case .success(let record):
                schedule.resolve(done.name, record)
                summary.executed.append(done.name)
            case .failure(let failure):
                switch policy.respond(to: failure, of: done.name) {
                case .recompute(let upstream):
                    // The upstream's result was quarantined: recompute it, then run this stage after it.
                    onEvent(.progress(stage: done.name, event: .note(failure.message)))
                    if schedule.unresolve(upstream), let spec = graph[upstream] { schedule.requeue(spec) }
                    if let spec = graph[done.name] { schedule.requeue(spec) }
                case .fail:
                    schedule.block(done.name)
                    summary.failed.append(done.name)
                    onEvent(.failed(stage: done.name, message: failure.message))
                }
            }
        }
        for spec in schedule.drain() where !schedule.blocked.contains(spec.name) {
            let reason = FailurePolicy.skipReason(for: spec, blocked: schedule.blocked, cancelled: cancel.isSet)
            schedule.block(spec.name)
            summary.skipped.append(spec.name)
            onEvent(.skipped(stage: spec.name, reason: reason))
        }

        let (lock, mismatches) = lockFile.reconcile(graph: graph, selected: selected, records: schedule.records, upToDate: summary.upToDate)
        summary.warnings += mismatches
        if let remote { summary.warnings += remote.problems }
        summary.lock = lock
        summary.lockWritten = try lockFile.write(lock)
        return summary
    }
}

extension Executor {
    /// Looks a stage that must run up in the remote cache; a hit is published in the local store.
    /// Problems are reported once as notes and kept for the summary's warnings; the stage then runs here.
    func restoreFromRemote(
        _ remote: RemoteCache, _ stage: String, key: String, summary: inout Summary, onEvent: @Sendable (Event) -> Void
    ) -> StageRecord? {
        let wasDisabled = remote.disabled != nil
        switch remote.restore(key, into: store) {
        case .restored(let record, let bytes):
            onEvent(.resolved(stage: stage, action: .restore([])))
            onEvent(.progress(stage: stage, event: .notice("remote cache: restored \(RemoteCache.megabytes(bytes)) from \(remote.transport.displayURL)")))
            return record
        case .absent:
            return nil
        case .unusable(let why):
            remote.recordProblem(why)
            onEvent(.progress(stage: stage, event: .warning("remote cache: \(why) Running the stage here.")))
            return nil
        case .unavailable(let why):
            if !wasDisabled {
                remote.recordProblem(why + " The run continued with the local store only.")
                onEvent(.progress(stage: stage, event: .warning("remote cache: \(why) Continuing with the local store only.")))
            }
            return nil
        }
    }
}
