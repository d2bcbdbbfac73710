public import Foundation

/// Runs a planned pipeline: decides each stage when its upstreams are resolved (so an upstream that
/// reran to identical bytes leaves its dependents up to date: early cutoff), executes what must
/// run on up to `jobs` threads, publishes results atomically and writes the lock file once.
///
/// Failure policy: fail-fast by default (no new stage starts after a failure; running ones finish
/// and publish); `keepGoing` lets independent branches finish. Dependents of a failed stage are skipped.
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
    /// - Parameter onEvent: called from worker threads too; must be thread-safe.
    public func run(options: Options, onEvent: @escaping @Sendable (Event) -> Void) throws(OrchestrationError) -> Summary {
        try StoreMarker.adopt(store.root)
        store.removeStaleWork()
        var warnings: [String] = []
        let oldLock: LockFile
        do { oldLock = try LockFile.read(from: lockURL, recipe: recipeName) } catch {
            // The lock file is a record, not a source of truth: keys are recomputed from the recipe and
            // results come from the store, so a damaged one is replaced by this run's, never believed.
            oldLock = LockFile(recipe: recipeName)
            let why = if case .malformedRecord(_, let reason) = error { reason } else { error.description }
            let cause = why.components(separatedBy: ". Delete ").first ?? why  // drop the hint: this run does it
            warnings.append("\(lockURL.path) is damaged (\(cause)); this run ignored it and rewrote it from the store.")
        }
        let cache = HashCache(fileURL: store.hashCacheURL)
        if let why = cache.discarded { warnings.append(why) }
        let selected = options.selection.selected(in: graph)
        let needed = graph.upstream(ofAll: selected)
        let inputHashes = try Executor.hashInputs(of: graph, needed: needed, projectRoot: projectRoot, cache: cache)
        try cache.saveIfNeeded()
        let inputFiles = cache.observed

        var summary = Summary(lock: oldLock)
        summary.warnings = warnings
        summary.filesHashed = cache.filesHashed
        var records: [String: StageRecord] = [:]   // resolved this run
        var digests: [String: String] = [:]        // records[name].outputDigest, kept in step with records
        var failedOrSkipped: Set<String> = []
        var pending = graph.stages.filter { needed.contains($0.name) }
        var running = 0
        var stopScheduling = false
        var requeued: Set<String> = []            // stages sent back once to recompute a corrupt upstream
        let completions = CompletionQueue()

        // Upstreams outside the selection count as resolved by their last recorded result.
        for spec in pending where !selected.contains(spec.name) {
            if let entry = oldLock.stages[spec.name], case .present(let record) = store.state(of: entry.key) {
                records[spec.name] = record
                digests[spec.name] = record.outputDigest
            } else {
                failedOrSkipped.insert(spec.name)
            }
        }
        pending.removeAll { !selected.contains($0.name) }

        while true {
            // Schedule every stage whose upstreams are all resolved.
            var progressed = true
            while progressed && !stopScheduling {
                progressed = false
                var index = 0
                while index < pending.count {
                    let spec = pending[index]
                    if let blocker = spec.upstream.first(where: { failedOrSkipped.contains($0) }) {
                        pending.remove(at: index)
                        failedOrSkipped.insert(spec.name)
                        summary.skipped.append(spec.name)
                        onEvent(.skipped(stage: spec.name, reason: "upstream '\(blocker)' did not produce a result"))
                        progressed = true
                        continue
                    }
                    guard spec.upstream.allSatisfy({ records[$0] != nil }), running < options.jobs else {
                        index += 1
                        continue
                    }
                    if stopScheduling { break }
                    pending.remove(at: index)
                    progressed = true
                    let planned = Planner.decide(
                        spec, lockEntry: oldLock.stages[spec.name], inputHashes: inputHashes, upstreamDigests: digests,
                        forced: options.selection.isForced(spec.name), entryState: store.state(of:))
                    switch planned.action {
                    case .upToDate, .restore:
                        records[spec.name] = planned.record!
                        digests[spec.name] = planned.record!.outputDigest
                        if case .upToDate = planned.action { summary.upToDate.append(spec.name) } else { summary.restored.append(spec.name) }
                        onEvent(.resolved(stage: spec.name, action: planned.action))
                    case .run(let reason):
                        if let remote, reason != .forced, !cancel.isSet,
                           let record = restoreFromRemote(remote, spec.name, key: planned.key!, summary: &summary, onEvent: onEvent) {
                            records[spec.name] = record
                            digests[spec.name] = record.outputDigest
                            summary.restored.append(spec.name)
                            continue
                        }
                        if cancel.isSet {
                            // Interrupted: start nothing new; the stage stays pending and is reported skipped.
                            stopScheduling = true
                            pending.insert(spec, at: index)
                            index += 1
                            continue
                        }
                        running += 1
                        onEvent(.started(stage: spec.name, reason: reason.description))
                        let upstreamRecords = spec.upstream.map { records[$0]! }
                        launch(spec, key: planned.key!, inputHashes: inputHashes, inputFiles: inputFiles, upstream: upstreamRecords,
                               onEvent: onEvent, completions: completions)
                    case .pendingUpstream, .notSelected:
                        // Unreachable: every upstream is resolved here.
                        failedOrSkipped.insert(spec.name)
                    }
                }
            }
            if running == 0 { break }
            let done = completions.wait()
            running -= 1
            switch done.result {
            case .success(let record):
                records[done.name] = record
                digests[done.name] = record.outputDigest
                summary.executed.append(done.name)
            case .failure(let failure) where failure.corruptUpstream != nil && !requeued.contains(done.name):
                // An upstream result failed its deep check and was quarantined: recompute it now and
                // run this stage after it (once; a second corruption fails the stage).
                let upstream = failure.corruptUpstream!
                requeued.insert(done.name)
                onEvent(.progress(stage: done.name, event: .note(failure.message)))
                if records.removeValue(forKey: upstream) != nil, let spec = graph[upstream] {
                    digests[upstream] = nil
                    pending.append(spec)
                }
                if let spec = graph[done.name] { pending.append(spec) }
            case .failure(let failure):
                failedOrSkipped.insert(done.name)
                summary.failed.append(done.name)
                onEvent(.failed(stage: done.name, message: failure.message))
                if !options.keepGoing { stopScheduling = true }
            }
        }
        for spec in pending where !failedOrSkipped.contains(spec.name) {
            failedOrSkipped.insert(spec.name)
            summary.skipped.append(spec.name)
            let reason: String
            if cancel.isSet {
                reason = "interrupted"
            } else if let blocker = spec.upstream.first(where: { failedOrSkipped.contains($0) }) {
                reason = "upstream '\(blocker)' did not produce a result"
            } else {
                reason = "an earlier stage failed"
            }
            onEvent(.skipped(stage: spec.name, reason: reason))
        }

        // The lock keeps the last result of every stage still in the recipe.
        var lock = LockFile(recipe: recipeName)
        for spec in graph.stages {
            if let record = records[spec.name], selected.contains(spec.name) {
                var entry = record
                entry.stage = spec.name
                lock.stages[spec.name] = entry
            } else if let old = oldLock.stages[spec.name] {
                lock.stages[spec.name] = old
            }
        }
        // An up-to-date stage's lock entry must equal its stored record; if not, the entry was recorded
        // on another machine or the lock file was damaged or edited by hand. It is rewritten from the
        // store either way; say which.
        for name in summary.upToDate {
            if let old = oldLock.stages[name], let new = lock.stages[name], old != new {
                summary.warnings.append(LockMismatch.describe(stage: name, lockPath: lockURL.path, entry: old, stored: new))
            }
        }
        if let remote { summary.warnings += remote.problems }
        summary.lock = lock
        summary.lockWritten = try lock.write(to: lockURL)
        return summary
    }

    /// Runs one stage on a worker thread and reports to `completions`.
    private func launch(
        _ spec: StageSpec, key: String, inputHashes: [String: String], inputFiles: [String: [InputFiles.File]],
        upstream: [StageRecord], onEvent: @escaping @Sendable (Event) -> Void, completions: CompletionQueue
    ) {
        let store = self.store, runner = self.runner, cancel = self.cancel, root = projectRoot, remote = self.remote
        let thread = Thread {
            let start = Date()
            let result: Result<StageRecord, StageFailure>
            do {
                for (name, record) in zip(spec.upstream, upstream) {
                    if let problem = store.deepCheck(record.key) {
                        try? store.quarantine(record.key, reason: problem)
                        throw StageFailure(
                            message: "the stored result of upstream '\(name)' is corrupt (\(problem)); it was quarantined and is recomputed.",
                            corruptUpstream: name)
                    }
                }
                let work = try store.makeWorkDirectory()
                let resume = store.resumeDirectory(key)
                try? FileManager.default.createDirectory(at: resume, withIntermediateDirectories: true)
                var upstreamOutputs: [String: URL] = [:]
                for (name, record) in zip(spec.upstream, upstream) { upstreamOutputs[name] = store.outputDirectory(record.key) }
                let context = StageContext(
                    key: key, outputDirectory: work.appendingPathComponent("out"), resumeDirectory: resume,
                    projectRoot: root, storeRoot: store.root, upstreamOutputs: upstreamOutputs,
                    report: { onEvent(.progress(stage: spec.name, event: $0)) }, isCancelled: { cancel.isSet })
                let outcome: StageOutcome
                do {
                    outcome = try runner.run(spec, context: context)
                } catch {
                    try? FileManager.default.removeItem(at: work)
                    Executor.removeIfEmpty(resume)
                    throw StageFailure(message: "\(error)")
                }
                // The key holds the inputs' hashes from before the run; a file edited since (say, during
                // an earlier stage's training) may have been read in its new form. Publishing would
                // store a result under a key that does not describe it, so the stage fails instead.
                if let change = Executor.changedInput(spec, root: root.path, observed: inputFiles) {
                    try? FileManager.default.removeItem(at: work)
                    Executor.removeIfEmpty(resume)
                    throw StageFailure(message: change.description)
                }
                var cost = outcome.cost
                cost["wall_s"] = (Date().timeIntervalSince(start) * 1000).rounded() / 1000
                var inputs: [String: String] = [:]
                for path in spec.inputs { inputs[path] = inputHashes[path] }
                var upstreamDigests: [String: String] = [:]
                for (name, record) in zip(spec.upstream, upstream) { upstreamDigests[name] = record.outputDigest }
                let draft = StageRecord(
                    key: key, kind: spec.kind, stage: spec.name, params: spec.params, inputs: inputs,
                    upstream: upstreamDigests, outputs: [:], outputDigest: "", metrics: outcome.metrics, cost: cost,
                    machine: outcome.machine)
                let record = try store.publish(work: work, record: draft)
                onEvent(.finished(stage: spec.name, seconds: Date().timeIntervalSince(start), record: record))
                if let remote { Executor.uploadToRemote(remote, spec.name, key: key, store: store, onEvent: onEvent) }
                result = .success(record)
            } catch let failure as StageFailure {
                result = .failure(failure)
            } catch {
                result = .failure(StageFailure(message: "\(error)"))
            }
            completions.post(.init(name: spec.name, result: result))
        }
        thread.stackSize = 16 << 20
        thread.start()
    }
}

extension Executor {
    /// Deletes a failed stage's resume folder when the stage left no checkpoint in it.
    static func removeIfEmpty(_ folder: URL) {
        if (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: folder)
        }
    }

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

    /// Sends a freshly published result to the remote; a failure is reported and the result stays local.
    static func uploadToRemote(_ remote: RemoteCache, _ stage: String, key: String, store: ArtifactStore, onEvent: @Sendable (Event) -> Void) {
        guard remote.disabled == nil else { return }
        do {
            let sent = try remote.upload(key, from: store)
            onEvent(.progress(stage: stage, event: .notice("remote cache: uploaded \(sent.blobsSent) blob\(sent.blobsSent == 1 ? "" : "s") (\(RemoteCache.megabytes(sent.bytesSent))), \(sent.blobsPresent) already there, and the entry")))
        } catch {
            let why = "uploading stage '\(stage)' failed: \(error.description) Its result is in the local store; `lathe push` sends it later."
            remote.recordProblem(why)
            onEvent(.progress(stage: stage, event: .warning("remote cache: \(why)")))
        }
    }

    /// The first input of `spec` whose files differ (added, removed, or a changed stamp) from those
    /// observed when it was hashed, or nil when none does.
    static func changedInput(_ spec: StageSpec, root: String, observed: [String: [InputFiles.File]]) -> OrchestrationError? {
        for input in spec.inputs {
            let full = root + "/" + input
            guard let before = observed[full] else { continue }
            let now: [InputFiles.File]
            do { now = try InputFiles.list(full, root: root) } catch { return .inputChanged(path: input, detail: error.description) }
            if now == before { continue }
            let old = Dictionary(before.map { ($0.relative, $0) }, uniquingKeysWith: { a, _ in a })
            let new = Dictionary(now.map { ($0.relative, $0) }, uniquingKeysWith: { a, _ in a })
            let detail: String
            if let added = new.keys.sorted().first(where: { old[$0] == nil }) {
                detail = "\(new[added]!.path) appeared"
            } else if let removed = old.keys.sorted().first(where: { new[$0] == nil }) {
                detail = "\(old[removed]!.path) was removed"
            } else {
                let changed = new.keys.sorted().first { old[$0] != new[$0] } ?? ""
                detail = "\(new[changed]?.path ?? full) was modified"
            }
            return .inputChanged(path: input, detail: detail)
        }
        return nil
    }
}

struct StageFailure: Error, CustomStringConvertible {
    let message: String
    /// Set when the stage did not run because this upstream's stored result was corrupt.
    var corruptUpstream: String? = nil
    var description: String { message }
}

/// Finished stages handed from worker threads back to the scheduling thread.
final class CompletionQueue: @unchecked Sendable {
    struct Completion {
        let name: String
        let result: Result<StageRecord, StageFailure>
    }

    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var items: [Completion] = []

    func post(_ item: Completion) {
        lock.withLock { items.append(item) }
        signal.signal()
    }

    func wait() -> Completion {
        signal.wait()
        return lock.withLock { items.removeFirst() }
    }
}
