#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe file replacement, the one write path of every module: the bytes go to a uniquely named
/// sibling temp file (`O_EXCL`), which is fsynced and renamed over the target, then the directory is
/// fsynced. A reader sees the old bytes or the new ones, never a mix; a failure leaves no temp file.
public enum AtomicFile {
    /// Writes the bytes `chunks` emits, in order, then replaces `path` with them. The parent folder is
    /// created when missing. `emit` throws the write's error; `chunks` may throw its own.
    /// - Complexity: O(total bytes); no buffer beyond what `chunks` hands over.
    public static func write(
        to path: String, mode: UInt32 = 0o644,
        chunks: (_ emit: (UnsafeRawBufferPointer) throws(FileError) -> Void) throws(FileError) -> Void
    ) throws(FileError) {
        let (directory, name) = split(path)
        try makeDirectory(directory)
        let temporary = directory + "/." + name + ".tmp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(mode))
        guard fd >= 0 else {
            throw FileError(path: path, reason: "cannot create a temporary file in \(directory) (\(RegularFile.text(errno)))")
        }
        var pending = true
        defer { if pending { close(fd); unlink(temporary) } }
        try chunks { (chunk) throws(FileError) in
            var done = 0
            while done < chunk.count {
                let n = Glibc_write(fd, chunk.baseAddress! + done, chunk.count - done)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw FileError(path: path, reason: "the write failed (\(RegularFile.text(errno)))") }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw FileError(path: path, reason: "fsync failed (\(RegularFile.text(errno)))") }
        pending = false
        guard close(fd) == 0 else {
            unlink(temporary)
            throw FileError(path: path, reason: "close failed (\(RegularFile.text(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let why = RegularFile.text(errno)
            unlink(temporary)
            throw FileError(path: path, reason: "cannot rename the temporary file into place (\(why))")
        }
        syncDirectory(directory)
    }

    /// Replaces `path` with `bytes` (see ``write(to:mode:chunks:)``).
    public static func write(_ bytes: some Collection<UInt8>, to path: String, mode: UInt32 = 0o644) throws(FileError) {
        try write(to: path, mode: mode) { (emit) throws(FileError) in
            var failure: FileError?
            bytes.withContiguousStorageIfAvailable { buffer in
                do throws(FileError) { try emit(UnsafeRawBufferPointer(buffer)) } catch { failure = error }
            } ?? {
                let copy = Array(bytes)
                copy.withUnsafeBytes { raw in
                    do throws(FileError) { try emit(raw) } catch { failure = error }
                }
            }()
            if let failure { throw failure }
        }
    }

    /// fsync a directory so a rename inside it survives a power cut (best effort).
    public static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// fsync a file by path, e.g. before publishing it (best effort).
    public static func syncFile(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd >= 0 { fsync(fd); close(fd) }
    }

    /// `mkdir -p`.
    static func makeDirectory(_ path: String) throws(FileError) {
        var st = stat()
        if stat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFDIR else { throw FileError(path: path, reason: "it is not a folder") }
            return
        }
        let (parent, _) = split(path)
        if parent != path { try makeDirectory(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw FileError(path: path, reason: "cannot create the folder (\(RegularFile.text(errno)))")
        }
    }

    /// The folder and the file name of `path` ("." when it has no slash).
    static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}

/// `write(2)`, named apart from ``AtomicFile/write(to:mode:chunks:)``.
@inline(__always)
private func Glibc_write(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #elseif canImport(Musl)
    Musl.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
