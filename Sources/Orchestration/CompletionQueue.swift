import Foundation

/// Finished stages handed from worker threads back to the scheduling thread (first in, first out).
final class CompletionQueue: @unchecked Sendable {
    struct Completion {
        let name: String
        let result: Result<StageRecord, StageFailure>
    }

    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var items: [Completion] = []

    /// Called by a worker thread once its stage has published or failed.
    func post(_ item: Completion) {
        lock.withLock { items.append(item) }
        signal.signal()
    }

    /// Blocks until a stage finishes and returns it.
    func wait() -> Completion {
        signal.wait()
        return lock.withLock { items.removeFirst() }
    }
}
