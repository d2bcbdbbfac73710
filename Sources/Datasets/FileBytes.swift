#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads for the data readers, through POSIX `open`/`read` rather than Foundation's
/// `FileManager.contents(atPath:)`, which leaks a buffer on every empty file: the token-shard fuzzer
/// reached its 2 GiB memory limit after 615,000 reads that way (RELIABILITY.md §4).
enum FileBytes {
    /// The file's bytes, or nil when it cannot be opened or read or is a directory.
    /// - Complexity: O(file size) time, one copy of the file in memory.
    static func load(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        // Read in chunks until end of file: the size from fstat is only a hint (the file may change,
        // and pipes report 0).
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
}
