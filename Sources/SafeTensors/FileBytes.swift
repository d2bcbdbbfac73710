import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic writes with POSIX calls, so a 500 MB checkpoint is read straight into one
/// `[UInt8]` (no intermediate `Data` copy) and a crash mid-write never leaves a half-written file in place.
enum FileBytes {
    static func read(path: String) throws(SafeTensorsError) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: path, detail: "cannot open for reading (\(errnoText()))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, detail: "cannot stat (\(errnoText()))") }
        let size = Int(info.st_size)
        var failure: SafeTensorsError?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = Glibc_read(fd, buffer.baseAddress! + done, size - done)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else {
                    failure = .io(path: path, detail: n == 0 ? "file shrank while being read" : "read failed (\(errnoText()))")
                    break
                }
                done += n
            }
            // Zero-fill on failure so every element is initialized; the array is discarded anyway.
            if done < size { (buffer.baseAddress! + done).initialize(repeating: 0, count: size - done) }
            initialized = size
        }
        if let failure { throw failure }
        return bytes
    }

    /// Writes `chunks` to a temporary file in the destination directory, fsyncs it, then renames it over `path`.
    static func writeAtomically(path: String, chunks: (_ emit: (UnsafeRawBufferPointer) throws(SafeTensorsError) -> Void) throws(SafeTensorsError) -> Void) throws(SafeTensorsError) {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UUID().uuidString)"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw .io(path: path, detail: "cannot create a temporary file in \(directory) (\(errnoText()))") }
        var closed = false
        defer {
            if !closed { close(fd); unlink(temporary) }
        }
        try chunks { (chunk) throws(SafeTensorsError) in
            var done = 0
            while done < chunk.count {
                let n = write(fd, chunk.baseAddress! + done, chunk.count - done)
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw .io(path: path, detail: "write failed (\(errnoText()))") }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw .io(path: path, detail: "fsync failed (\(errnoText()))") }
        closed = true
        guard close(fd) == 0 else { unlink(temporary); throw .io(path: path, detail: "close failed (\(errnoText()))") }
        guard rename(temporary, path) == 0 else {
            let text = errnoText()
            unlink(temporary)
            throw .io(path: path, detail: "cannot rename the temporary file into place (\(text))")
        }
        // Persist the rename itself; failure here is not fatal for correctness of the bytes.
        let dirFD = open(directory, O_RDONLY)
        if dirFD >= 0 { _ = fsync(dirFD); close(dirFD) }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}

/// `read(2)`, named apart from the `read(path:)` method above.
@inline(__always)
private func Glibc_read(_ fd: Int32, _ buffer: UnsafeMutablePointer<UInt8>, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(fd, buffer, count)
    #elseif canImport(Musl)
    Musl.read(fd, buffer, count)
    #else
    Darwin.read(fd, buffer, count)
    #endif
}
