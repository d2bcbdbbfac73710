import COpenBLAS
import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The engine's thread count, shared by OpenBLAS and the engine's own parallel loops.
///
/// Default: `LATHE_THREADS` if set to a positive integer, else every active core (read once). Set it on
/// the thread that starts the work, before training (`ComputeThreads.set(2)`). OpenBLAS itself is kept single-threaded: the
/// engine splits every large sgemm into blocks on its own threads (`Matmul.gemmParallel`), which scales
/// better on the small training shapes and leaves no global BLAS state to toggle; training and batch
/// inference go further and give each thread whole rows of the batch (`GPTTrainer.replicas`,
/// `GPTModel.inferenceWorkers`), inside which everything runs single-threaded. Results are bitwise
/// reproducible for a given thread count (the split depends only on the count).
///
/// The count belongs to the calling thread: `set` affects only work started from that thread, so
/// stages running side by side in one process (`lathe run --jobs 2`, or tests) each keep their own
/// `threads:` and their own, reproducible results. Threads that never call `set` use the default.
public enum ComputeThreads {
    /// Each thread's count (0 = not set), as a pthread-specific value.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// The thread count in use; 1 on a thread that is running a chunk of a parallel loop, so nested
    /// loops run inline instead of oversubscribing the cores.
    public static var count: Int { ParallelRegion.isInside ? 1 : configured }

    /// OpenBLAS is made single-threaded once per process, before the first count is read.
    private static let blasSingleThreaded: Bool = {
        openblas_set_num_threads(1)
        return true
    }()

    /// The calling thread's configured count (its `set`, else the default), even inside a parallel loop.
    public static var configured: Int {
        _ = blasSingleThreaded
        let own = Int(bitPattern: pthread_getspecific(key))
        return own > 0 ? own : defaultCount
    }

    /// The count of threads that never call `set` (the environment is read once, not per kernel call).
    private static let defaultCount = resolve(nil)

    /// Sets the calling thread's thread count; `nil` means `LATHE_THREADS` or all active cores.
    public static func set(_ threads: Int?) {
        _ = blasSingleThreaded
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: resolve(threads)))
    }

    /// `threads` when positive, else `LATHE_THREADS` when set to a positive integer, else every
    /// active core.
    public static func resolve(_ threads: Int?) -> Int {
        if let threads, threads > 0 { return threads }
        if let env = ProcessInfo.processInfo.environment["LATHE_THREADS"], let v = Int(env), v > 0 { return v }
        return max(1, ProcessInfo.processInfo.activeProcessorCount)
    }
}
