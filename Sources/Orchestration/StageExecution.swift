import Foundation

/// Runs one stage on its own worker thread and posts the outcome to a ``CompletionQueue``: checks
/// the upstream results it reads (a corrupt one is quarantined and reported for recomputation), runs
/// the ``StageRunner`` in a fresh work folder, refuses to publish when an input changed while it ran,
/// publishes the result atomically under its key and, with a remote cache, uploads it.
///
/// It owns the stage's work and resume folders: a failed stage leaves neither behind (a resume folder
/// survives only when it holds a checkpoint).
struct StageExecution: Sendable {
    let spec: StageSpec
    /// The stage's key, computed from `inputHashes` and the upstream digests before it runs.
    let key: String
    /// Hash of every input path, as the key was computed from.
    let inputHashes: [String: String]
    /// The files of each input as observed when hashed (to notice an edit during the run).
    let inputFiles: [String: [InputFiles.File]]
    /// The resolved result of each of `spec.upstream`, in the same order.
    let upstream: [StageRecord]
    let store: ArtifactStore
    let projectRoot: URL
    let runner: any StageRunner
    let cancel: CancellationFlag
    let remote: RemoteCache?

    /// Starts the thread (16 MiB of stack) and returns at once.
    func start(onEvent: @escaping @Sendable (Executor.Event) -> Void, completions: CompletionQueue) {
        let thread = Thread {
            let result: Result<StageRecord, StageFailure>
            do {
                result = .success(try execute(onEvent: onEvent))
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

    /// The body of the thread: the published record, or a ``StageFailure``.
    private func execute(onEvent: @escaping @Sendable (Executor.Event) -> Void) throws -> StageRecord {
        let start = Date()
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
        let stageName = spec.name, flag = cancel
        let context = StageContext(
            key: key, outputDirectory: work.appendingPathComponent("out"), resumeDirectory: resume,
            projectRoot: projectRoot, storeRoot: store.root, upstreamOutputs: upstreamOutputs,
            report: { onEvent(.progress(stage: stageName, event: $0)) }, isCancelled: { flag.isSet })
        let outcome: StageOutcome
        do {
            outcome = try runner.run(spec, context: context)
        } catch {
            discard(work: work, resume: resume)
            throw StageFailure(message: "\(error)")
        }
        // The key holds the inputs' hashes from before the run; a file edited since (say, during
        // an earlier stage's training) may have been read in its new form. Publishing would
        // store a result under a key that does not describe it, so the stage fails instead.
        if let change = Self.changedInput(spec, root: projectRoot.path, observed: inputFiles) {
            discard(work: work, resume: resume)
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
        if let remote { upload(to: remote, onEvent: onEvent) }
        return record
    }

    /// Deletes the work folder and, when the stage left no checkpoint in it, the resume folder.
    private func discard(work: URL, resume: URL) {
        try? FileManager.default.removeItem(at: work)
        if (try? FileManager.default.contentsOfDirectory(atPath: resume.path))?.isEmpty == true {
            try? FileManager.default.removeItem(at: resume)
        }
    }

    /// Sends the freshly published result to the remote; a failure is reported and the result stays local.
    private func upload(to remote: RemoteCache, onEvent: @Sendable (Executor.Event) -> Void) {
        guard remote.disabled == nil else { return }
        let stage = spec.name
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
