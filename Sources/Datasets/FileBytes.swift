#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads for the data readers, through POSIX `open`/`read` rather than Foundation's
/// `FileManager.contents(atPath:)`, which leaks a buffer on every empty file: the token-shard fuzzer
/// reached its 2 GiB memory limit after 615,000 reads that way (RELIABILITY.md §4).
///
/// Only regular files are read: the file is opened with `O_NONBLOCK` (so a FIFO never waits for a
/// writer) and checked with `fstat` before any byte is read (so `/dev/zero` is never read without end).
/// With a `root`, the resolved path must lie inside it (a link out of the project is refused).
enum FileBytes {
    /// The file's bytes, or nil when it cannot be opened or read, is not a regular file, or resolves
    /// outside `root`. ``problem(_:root:)`` says why.
    /// - Complexity: O(file size) time, one copy of the file in memory.
    static func load(_ path: String, root: String? = nil) -> [UInt8]? {
        if let root, !isInside(path, root: root) { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        // Read in chunks until end of file: the size from fstat is only a hint (the file may change).
        let chunkSize = 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        while true {
            let n = read(fd, chunk.baseAddress, chunkSize)
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { return bytes }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
        }
    }

    /// Why ``load(_:root:)`` returned nil for `path`, in words for a message.
    static func problem(_ path: String, root: String? = nil) -> String {
        var st = stat()
        guard lstat(path, &st) == 0 else { return errno == ENOENT ? "no such file" : String(cString: strerror(errno)) }
        if let root, !isInside(path, root: root) {
            let target = realPath(path) ?? "nothing"
            return "it is (or goes through) a symbolic link to \(target), outside the project root; copy the file into the project"
        }
        if stat(path, &st) != 0 { return String(cString: strerror(errno)) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return access(path, R_OK) == 0 ? "the read failed" : "permission denied"
        case S_IFDIR: return "it is a directory; name a file inside it"
        case S_IFIFO: return "it is a FIFO (named pipe), not a regular file; reading it could block forever. Use a regular file"
        case S_IFCHR, S_IFBLK: return "it is a device, not a regular file; reading it might never end. Use a regular file"
        default: return "it is not a regular file. Use a regular file"
        }
    }

    /// Whether `path` resolves to `root` or below it (both made real).
    static func isInside(_ path: String, root: String) -> Bool {
        guard let real = realPath(path) else { return false }
        let realRoot = realPath(root) ?? root
        return real == realRoot || real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
