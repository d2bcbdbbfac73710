public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Crash-safe file replacement: write a sibling temp file, fsync it, rename it over the target,
/// fsync the directory. A reader sees the old bytes or the new ones, never a mix.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws(OrchestrationError) {
        let directory = url.deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .storeIO(path: directory, reason: "\(error.localizedDescription)")
        }
        let temp = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .storeIO(path: temp, reason: String(cString: strerror(errno))) }
        var ok = true
        var reason = ""
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false
                    reason = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if ok && fsync(fd) != 0 { ok = false; reason = String(cString: strerror(errno)) }
        close(fd)
        guard ok else {
            unlink(temp)
            throw .storeIO(path: url.path, reason: reason)
        }
        guard rename(temp, url.path) == 0 else {
            let r = String(cString: strerror(errno))
            unlink(temp)
            throw .storeIO(path: url.path, reason: r)
        }
        syncDirectory(directory)
    }

    /// fsync a directory so a rename inside it survives a power cut.
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// fsync a file by path (used before publishing outputs).
    public static func syncFile(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }
}
