public import Foundation

/// Runs one stage kind. The executor calls it only when the stage's key is not in the store.
///
/// Contract (every conforming runner must pass the test in `StagesTests`):
/// - Deterministic: the same spec, inputs and upstream outputs give the same output bytes
///   (randomness only from the recipe's seed; no wall clock, thread count or paths in outputs),
///   except under `logs/`, which may hold timings and is left out of the output digest.
/// - Writes only into `context.outputDirectory` (and may keep resumable state in
///   `context.resumeDirectory`); reads only its declared inputs and `context.upstreamOutputs`.
/// - Reports progress through `context.report`, never prints, and returns promptly with
///   ``StageCancelled`` once `context.isCancelled()` turns true.
public protocol StageRunner: Sendable {
    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome
}

/// Everything a stage execution may touch.
public struct StageContext: Sendable {
    /// The stage's key (64 hex characters).
    public let key: String
    /// Where to write outputs; published atomically when `run` returns.
    public let outputDirectory: URL
    /// Kept across killed runs of the same key, for checkpoints; removed on publish.
    public let resumeDirectory: URL
    public let projectRoot: URL
    /// The store (for content-addressed caches a stage keeps, such as encoded datasets).
    public let storeRoot: URL
    /// Published output directory of each upstream stage, by name.
    public let upstreamOutputs: [String: URL]
    public let report: @Sendable (StageEvent) -> Void
    public let isCancelled: @Sendable () -> Bool

    public init(
        key: String, outputDirectory: URL, resumeDirectory: URL, projectRoot: URL, storeRoot: URL,
        upstreamOutputs: [String: URL], report: @escaping @Sendable (StageEvent) -> Void,
        isCancelled: @escaping @Sendable () -> Bool
    ) {
        self.key = key
        self.outputDirectory = outputDirectory
        self.resumeDirectory = resumeDirectory
        self.projectRoot = projectRoot
        self.storeRoot = storeRoot
        self.upstreamOutputs = upstreamOutputs
        self.report = report
        self.isCancelled = isCancelled
    }
}

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

/// What a finished stage reports besides its files.
public struct StageOutcome: Sendable, Equatable {
    /// Headline metrics recorded in the lock file (`val_loss`, `exact_match`…).
    public var metrics: [String: Double]
    /// Cost figures (`tokens`, `flops`, `trainable_params`, `peak_rss_mib`…); the executor adds `wall_s`.
    public var cost: [String: Double]
    /// What computed it (`cpu`, `blas_kernels`, `threads`), recorded in the lock entry so that a result
    /// recorded on another machine is told apart from a damaged entry.
    public var machine: [String: String]

    public init(metrics: [String: Double] = [:], cost: [String: Double] = [:], machine: [String: String] = [:]) {
        self.metrics = metrics
        self.cost = cost
        self.machine = machine
    }
}

/// Thrown by a runner that stopped because the run was interrupted.
public struct StageCancelled: Error, Sendable, CustomStringConvertible {
    public init() {}
    public var description: String { "interrupted" }
}

/// A thread-safe flag set by SIGINT/SIGTERM handlers and read by running stages.
public final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    public init() {}
    public var isSet: Bool { lock.withLock { value } }
    public func set() { lock.withLock { value = true } }
}
