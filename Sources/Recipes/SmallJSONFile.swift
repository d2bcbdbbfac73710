import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The small JSON files the loader peeks into before anything runs (`config.json`, `tokenizer.json`,
/// `adapter_config.json` of folders a recipe names), read so that no hostile file can hang or
/// mislead `validate`.
enum SmallJSONFile {
    /// Largest file read.
    static let maxBytes = 64 << 20

    /// A JSON object from a regular file of at most 64 MiB that resolves inside `realRoot`, else nil.
    /// Opened with `O_NONBLOCK` and checked with `fstat` first, so a FIFO or device never blocks; a
    /// link out of the project is not read (the run refuses it, naming the link).
    static func object(atPath path: String, realRoot: String) -> [String: Any]? {
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        guard real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/") else { return nil }
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_size <= maxBytes else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            filled += n
        }
        return (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any]
    }
}
