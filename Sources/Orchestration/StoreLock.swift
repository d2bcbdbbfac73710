public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive fcntl lock on `<store>/.lock` for the life of a process's work on the store.
///
/// The kernel drops it when the process dies (even by SIGKILL), so there is never a stale lock to
/// clean by hand. The holder's pid is written into the file only for the waiting message.
public final class StoreLock: @unchecked Sendable {
    private let fd: Int32
    public let path: String

    /// - Parameters:
    ///   - wait: block until the lock is free (calling `onWait` once first) or fail at once.
    ///   - onWait: told who holds the lock, before blocking.
    /// - Throws: ``OrchestrationError/storeBusy(path:holder:)`` when busy and `wait` is false.
    public init(store: URL, wait: Bool, onWait: (String) -> Void) throws(OrchestrationError) {
        do {
            try FileManager.default.createDirectory(at: store, withIntermediateDirectories: true)
        } catch {
            throw .storeIO(path: store.path, reason: error.localizedDescription)
        }
        path = store.appendingPathComponent(".lock").path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storeIO(path: path, reason: String(cString: strerror(errno))) }
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        if fcntl(fd, F_SETLK, &lock) != 0 {
            var probe = flock()
            probe.l_type = Int16(F_WRLCK)
            probe.l_whence = Int16(SEEK_SET)
            let holder = fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != Int16(F_UNLCK) ? "pid \(probe.l_pid)" : "another process"
            guard wait else {
                close(fd)
                throw .storeBusy(path: path, holder: holder)
            }
            onWait(holder)
            while fcntl(fd, F_SETLKW, &lock) != 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                throw .storeIO(path: path, reason: reason)
            }
        }
    }

    deinit { close(fd) }  // closing the descriptor releases the fcntl lock
}
