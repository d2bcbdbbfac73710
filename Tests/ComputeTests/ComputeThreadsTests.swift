import Compute
import Foundation
import Testing

/// The thread count belongs to the thread that sets it, so stages running side by side in one process
/// (`--jobs 2`, or concurrent tests) cannot change each other's parallel split mid-run.
@Suite struct ComputeThreadsTests {
    @Test func aThreadCountSetOnOneThreadDoesNotReachAnother() {
        let done = DispatchSemaphore(value: 0), secondDone = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var seen: (mine: Int, other: Int, afterOther: Int) = (0, 0, 0)
        let first = Thread {
            ComputeThreads.set(3)
            let second = Thread {
                ComputeThreads.set(1)
                seen.other = ComputeThreads.count
                secondDone.signal()
            }
            second.start()
            secondDone.wait()
            seen.mine = ComputeThreads.configured
            seen.afterOther = ComputeThreads.count
            done.signal()
        }
        first.start()
        done.wait()
        #expect(seen.other == 1)
        #expect(seen.mine == 3 && seen.afterOther == 3)
        #expect(ComputeThreads.resolve(5) == 5 && ComputeThreads.resolve(nil) >= 1)
    }

    @Test func loopsInsideAParallelChunkRunInline() {
        ComputeThreads.set(2)
        nonisolated(unsafe) var inner = [Int](repeating: -1, count: 2)
        inner.withUnsafeMutableBufferPointer { out in
            Parallel.forEachChunk(2, costPerItem: 1 << 20) { r in
                for i in r { out[i] = ComputeThreads.count }
            }
        }
        #expect(inner == [1, 1])
    }
}
