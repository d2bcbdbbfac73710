import Foundation
import Orchestration
import Recipes
import Stages

/// Brings a generated project to the "every stage ran" state through the real code path: the
/// Recipes loader, `StageSpecs.make`, `PipelineGraph` and the `Executor` (publish, manifest, lock),
/// with ``PipelineTrivialRunner`` in place of the engine (whose stage kinds cannot run in this build).
/// The store and lock then hold exactly the keys a real run would, so `lathe run` finds all up to date.
///
/// Timing: input hashing (the first read of every data set) is done and timed on its own first, so the
/// executor's wall time is pure per-stage bookkeeping: thread launch, runner, output hashing, fsyncs,
/// manifest write, rename into the store, plus one lock-file write at the end.
enum PipelineSeeder {
    struct Result {
        var stages: Int
        var inputHashSeconds: Double
        var inputBytes: Int64
        var executorSeconds: Double
        /// Per executed stage, from start to published (the executor's `finished` event), seconds.
        var stageSeconds: [Double]
        /// Second in-process run: everything up to date, lock not rewritten.
        var verifySeconds: Double
        var verifyUpToDate: Int
        var verifyLockWritten: Bool
    }

    static func seed(projectDirectory dir: URL) throws -> Result {
        let root = dir.standardizedFileURL
        let recipeURL = root.appendingPathComponent(PipelineProject.recipeRelativePath)
        let loaded: LoadedRecipe
        do { loaded = try RecipeLoader(projectRoot: root, modelFolders: ModelFolderPreflight()).load(recipeAt: recipeURL) } catch {
            throw PipelineBenchError("\(recipeURL.path) does not load: " + error.diagnostics.map(\.description).joined(separator: "; "))
        }
        let graph = try PipelineGraph(StageSpecs.make(from: loaded.recipe))
        let store = ArtifactStore(root: ProjectRoot.store(root: root, option: nil, environment: [:]))
        let storeLock = try StoreLock(store: store.root, wait: true) { _ in }
        defer { withExtendedLifetime(storeLock) {} }

        let hashStart = PipelineClock.now()
        let cache = HashCache(fileURL: store.hashCacheURL)
        let hashes = try Executor.hashInputs(of: graph, needed: Set(graph.names), projectRoot: root, cache: cache)
        try cache.saveIfNeeded()
        let hashSeconds = PipelineClock.now() - hashStart
        var bytes: Int64 = 0
        for path in hashes.keys {
            let attributes = try FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path)
            bytes += (attributes[.size] as? NSNumber)?.int64Value ?? 0
        }

        let executor = Executor(
            graph: graph, store: store, projectRoot: root, lockURL: LockFile.url(forRecipe: recipeURL),
            recipeName: loaded.recipe.name, runner: PipelineTrivialRunner())
        let collector = PipelineStageTimes()
        let runStart = PipelineClock.now()
        let summary = try executor.run(options: .init(jobs: 1)) { event in
            switch event {
            case .finished(_, let seconds, _): collector.add(seconds)
            case .failed(let stage, let message): collector.fail("\(stage): \(message)")
            default: break
            }
        }
        let runSeconds = PipelineClock.now() - runStart
        if let failure = collector.failure ?? (summary.succeeded ? nil : "stages failed: \(summary.failed)") {
            throw PipelineBenchError("seeding failed: \(failure)")
        }
        guard summary.executed.count == graph.stages.count else {
            throw PipelineBenchError("seeding executed \(summary.executed.count) of \(graph.stages.count) stages; "
                + "start from a freshly generated project (`pipelines gen`).")
        }

        let verifyStart = PipelineClock.now()
        let again = try executor.run(options: .init(jobs: 1)) { _ in }
        let verifySeconds = PipelineClock.now() - verifyStart
        return Result(
            stages: graph.stages.count, inputHashSeconds: hashSeconds, inputBytes: bytes,
            executorSeconds: runSeconds, stageSeconds: collector.values, verifySeconds: verifySeconds,
            verifyUpToDate: again.upToDate.count, verifyLockWritten: again.lockWritten)
    }
}

/// Stands in for the engine: writes one small deterministic file per stage (its kind and key), so
/// every stage has an output digest that downstream keys can include.
struct PipelineTrivialRunner: StageRunner {
    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        let text = "bench output of a \(spec.kind) stage\nkey \(context.key)\n"
        try Data(text.utf8).write(to: context.outputDirectory.appendingPathComponent("result.txt"))
        return StageOutcome(metrics: ["bench": 1])
    }
}

/// Per-stage seconds reported from executor threads.
final class PipelineStageTimes: @unchecked Sendable {
    private let lock = NSLock()
    private var seconds: [Double] = []
    private var firstFailure: String?
    func add(_ s: Double) { lock.withLock { seconds.append(s) } }
    func fail(_ message: String) { lock.withLock { if firstFailure == nil { firstFailure = message } } }
    var values: [Double] { lock.withLock { seconds } }
    var failure: String? { lock.withLock { firstFailure } }
}

/// Monotonic seconds.
enum PipelineClock {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }
}
