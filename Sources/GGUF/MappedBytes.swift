import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of a GGUF file: a read-only memory map of the file (pages load on first touch, so opening a
/// 100 MB model costs its header, not its weights), or an owned copy for bytes that came from memory.
/// Unmapped (or freed) when the last reference goes away.
final class MappedBytes: @unchecked Sendable {
    /// Start of the bytes (never written through); nil only for an empty buffer.
    let base: UnsafeRawPointer?
    let count: Int
    private let mapped: Bool

    /// Maps `path` read-only.
    init(path: String) throws(GGUFError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .io(path: path, detail: "cannot open for reading (\(Self.errnoText()))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(path: path, detail: "cannot stat (\(Self.errnoText()))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .io(path: path, detail: "not a regular file") }
        count = Int(info.st_size)
        mapped = count > 0
        guard count > 0 else { base = nil; return }
        let pointer = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let pointer, pointer != MAP_FAILED else {
            throw .io(path: path, detail: "cannot memory-map \(count) bytes (\(Self.errnoText()))")
        }
        base = UnsafeRawPointer(pointer)
    }

    /// Copies `bytes` (for files built in memory, and the fuzzer).
    init(bytes: [UInt8]) {
        count = bytes.count
        mapped = false
        guard !bytes.isEmpty else { base = nil; return }
        let copy = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 64)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        base = UnsafeRawPointer(copy)
    }

    deinit {
        guard let base else { return }
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), count) } else { base.deallocate() }
    }

    /// The bytes `[offset, offset + length)`; the caller has checked the range.
    func buffer(offset: Int, length: Int) -> UnsafeRawBufferPointer {
        guard let base else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: base + offset, count: length)
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
