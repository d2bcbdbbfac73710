import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Marks the threads that are running a chunk of a parallel loop (a thread-local flag), so that
/// `ComputeThreads.count` is 1 there: a data-parallel training step runs whole forward and backward
/// passes per chunk, and their kernels must not fan out again.
enum ParallelRegion {
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    static var isInside: Bool { pthread_getspecific(key) != nil }

    static func run(_ body: () -> Void) {
        let outer = pthread_getspecific(key)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: 1))
        body()
        pthread_setspecific(key, outer)
    }
}
