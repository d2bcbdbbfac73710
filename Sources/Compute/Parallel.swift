import Dispatch
import Foundation

/// Parallel loops over disjoint index ranges (the only kind of parallelism the kernels use).
public enum Parallel {
    /// Calls `body(range)` for contiguous chunks covering `0..<count`, on up to `ComputeThreads.count`
    /// threads. Runs inline when the work is small (`count * costPerItem < 32_768` FLOP-ish units) or one
    /// thread is configured. `body` must write only to outputs owned by its range.
    public static func forEachChunk(_ count: Int, costPerItem: Int = 1, _ body: (Range<Int>) -> Void) {
        let threads = ComputeThreads.count
        if threads <= 1 || count < 2 || count * costPerItem < 32_768 {
            if count > 0 { body(0..<count) }
            return
        }
        let chunks = min(threads, count)
        withoutActuallyEscaping(body) { body in
            // Safe because each chunk writes only outputs owned by its own range (the kernels' contract),
            // and concurrentPerform returns only after every chunk finished.
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let lo = chunk * count / chunks
                let hi = (chunk + 1) * count / chunks
                if lo < hi { ParallelRegion.run { box.value(lo..<hi) } }
            }
        }
    }
}

/// Carries a non-Sendable closure into `concurrentPerform`; see the safety note at the use site.
private struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
