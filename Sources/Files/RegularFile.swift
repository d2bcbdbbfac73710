#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads of regular files through POSIX `open`/`fstat`/`read` — the one read path of every module
/// (datasets, token shards, safetensors, content hashes).
///
/// Why not Foundation: `FileManager.contents(atPath:)` leaks a buffer on every empty file (the token-shard
/// fuzzer reached its 2 GiB limit after 615,000 reads, RELIABILITY.md §4) and `Data` adds a copy of a
/// 500 MB checkpoint. Only regular files are read: the file is opened with `O_NONBLOCK` (a FIFO never
/// waits for a writer) and checked with `fstat` before any byte is read (`/dev/zero` is never read
/// without end). With a `root`, the resolved path must lie inside it (a link out of the project is refused).
public enum RegularFile {
    /// Bytes per `read(2)` when streaming: large enough to amortise syscalls, small enough for L2.
    public static let chunkSize = 1 << 20

    /// The whole file, read straight into one array (no intermediate copy).
    /// - Complexity: O(size) time; the file's size in memory.
    public static func read(_ path: String, root: String? = nil) throws(FileError) -> [UInt8] {
        let (fd, size) = try openForReading(path, root: root)
        defer { close(fd) }
        var bytes = try readUpTo(size, from: fd, path: path)
        // fstat's size is only a hint: a file that grew while being read is read to its end.
        if bytes.count == size {
            try forEachChunk(fd, path: path) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Up to `count` bytes from `fd`'s current offset, straight into one array; fewer at end of file.
    /// - Complexity: O(count) time and memory.
    static func readUpTo(_ count: Int, from fd: Int32, path: String) throws(FileError) -> [UInt8] {
        var failure: Int32 = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var done = 0
            while done < count {
                let n = systemRead(fd, buffer.baseAddress! + done, count - done)
                if n < 0, errno == EINTR { continue }
                if n < 0 { failure = errno; break }
                if n == 0 { break }
                done += n
            }
            initialized = done
        }
        if failure != 0 { throw FileError(path: path, reason: "the read failed (\(text(failure)))") }
        return bytes
    }

    /// At most the first `maxBytes` bytes of the file, and whether they are all of it.
    /// - Complexity: O(min(size, maxBytes)) time and memory.
    public static func readPrefix(_ path: String, root: String? = nil, maxBytes: Int) throws(FileError) -> (bytes: [UInt8], isWhole: Bool) {
        let (fd, _) = try openForReading(path, root: root)
        defer { close(fd) }
        // one byte past the limit tells a file of exactly maxBytes from a longer one
        let capacity = max(0, maxBytes) + 1
        var bytes = try readUpTo(capacity, from: fd, path: path)
        let isWhole = bytes.count < capacity
        if !isWhole { bytes.removeLast() }
        return (bytes, isWhole)
    }

    /// Streams the file through one reusable buffer of ``chunkSize`` bytes, in order.
    /// - Complexity: O(size) time, O(1) memory.
    public static func forEachChunk(_ path: String, root: String? = nil, _ body: (UnsafeRawBufferPointer) -> Void) throws(FileError) {
        let (fd, _) = try openForReading(path, root: root)
        defer { close(fd) }
        try forEachChunk(fd, path: path, body)
    }

    private static func forEachChunk(_ fd: Int32, path: String, _ body: (UnsafeRawBufferPointer) -> Void) throws(FileError) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let n = systemRead(fd, buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), chunkSize)
            if n < 0, errno == EINTR { continue }
            if n < 0 { throw FileError(path: path, reason: "the read failed (\(text(errno)))") }
            if n == 0 { return }
            body(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// An open descriptor of a regular file and its size from `fstat`.
    private static func openForReading(_ path: String, root: String?) throws(FileError) -> (Int32, Int) {
        if let root, !isInside(path, root: root) { throw FileError(path: path, reason: problem(path, root: root)) }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw FileError(path: path, reason: problem(path)) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileError(path: path, reason: problem(path))
        }
        return (fd, Int(info.st_size))
    }

    /// Why `path` cannot be read, in words for a message.
    static func problem(_ path: String, root: String? = nil) -> String {
        var st = stat()
        guard lstat(path, &st) == 0 else { return errno == ENOENT ? "no such file" : text(errno) }
        if let root, !isInside(path, root: root) {
            let target = realPath(path) ?? "nothing"
            return "it is (or goes through) a symbolic link to \(target), outside the project root; copy the file into the project"
        }
        if stat(path, &st) != 0 { return text(errno) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return access(path, R_OK) == 0 ? "the read failed" : "permission denied"
        case S_IFDIR: return "it is a directory; name a file inside it"
        case S_IFIFO: return "it is a FIFO (named pipe), not a regular file; reading it could block forever. Use a regular file"
        case S_IFCHR, S_IFBLK: return "it is a device, not a regular file; reading it might never end. Use a regular file"
        default: return "it is not a regular file. Use a regular file"
        }
    }

    /// Whether `path` resolves to `root` or below it (both made real).
    public static func isInside(_ path: String, root: String) -> Bool {
        guard let real = realPath(path) else { return false }
        let realRoot = realPath(root) ?? root
        return real == realRoot || real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/")
    }

    /// `realpath(3)`: the absolute path with every link and `..` resolved, or nil when it does not exist.
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func text(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// `read(2)`, named apart from ``RegularFile/read(_:root:)``.
@inline(__always)
func systemRead(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #elseif canImport(Musl)
    Musl.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}
