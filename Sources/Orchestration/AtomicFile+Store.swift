public import Files
public import Foundation

extension AtomicFile {
    /// Replaces the store or project file at `url` with `data` (see ``AtomicFile/write(to:mode:chunks:)``),
    /// its failure as the store error every Orchestration API throws.
    static func write(_ data: Data, to url: URL) throws(OrchestrationError) {
        do { try write(data, to: url.path) } catch { throw .storeIO(path: error.path, reason: error.reason) }
    }
}
