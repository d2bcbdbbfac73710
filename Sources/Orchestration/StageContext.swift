public import Foundation

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
