public import Foundation
import Crypto
#if canImport(Glibc)
import Glibc
import Files
#endif

/// SHA-256 of files and directories, streamed through one reusable buffer.
///
/// A directory's hash is the SHA-256 of its sorted listing, one `relative/path\0<file sha256>\n`
/// line per regular file, so two trees with the same files hash the same wherever they live.
public enum ContentHasher {
    /// Hex SHA-256 of a byte string.
    public static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexString
    }

    /// Hex SHA-256 of raw bytes.
    public static func sha256Hex(bytes: some DataProtocol) -> String {
        SHA256.hash(data: bytes).hexString
    }

    /// Hex SHA-256 of a regular file's contents.
    /// - Complexity: O(size); one 1 MiB buffer (``RegularFile/forEachChunk(_:root:_:)``).
    /// - Throws: ``OrchestrationError/unreadableInput(path:reason:)``.
    public static func hashFile(atPath path: String) throws(OrchestrationError) -> String {
        var hasher = SHA256()
        do { try RegularFile.forEachChunk(path) { hasher.update(bufferPointer: $0) } } catch {
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
                throw .notRegularFile(path: path, kind: InputFiles.kindName(info.st_mode))
            }
            throw .unreadableInput(path: path, reason: error.reason)
        }
        return hasher.finalize().hexString
    }

    /// Hex SHA-256 of an input (a file, or a folder as a tree digest), its files found and checked by
    /// ``InputFiles/list(_:root:)`` — the same digest ``HashCache/hash(path:root:)`` gives, without the memo.
    public static func hashInput(atPath path: String, root: String) throws(OrchestrationError) -> String {
        let files = try InputFiles.list(path, root: root)
        if files.count == 1, files[0].relative.isEmpty { return try hashFile(atPath: files[0].path) }
        var pairs: [(path: String, sha256: String)] = []
        for file in files { pairs.append((file.relative, try hashFile(atPath: file.path))) }
        return treeDigest(pairs)
    }

    /// Regular files below `directory`, as sorted relative paths. Symlinks are not followed.
    public static func listFiles(in directory: String) throws(OrchestrationError) -> [String] {
        var result: [String] = []
        func walk(_ relative: String) throws(OrchestrationError) {
            let full = relative.isEmpty ? directory : directory + "/" + relative
            guard let dir = opendir(full) else {
                throw .unreadableInput(path: full, reason: String(cString: strerror(errno)))
            }
            defer { closedir(dir) }
            var names: [(String, Bool)] = []
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name == "." || name == ".." { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(directory + "/" + child, &st) == 0 else { continue }
                let type = st.st_mode & S_IFMT
                if type == S_IFDIR { names.append((child, true)) } else if type == S_IFREG { names.append((child, false)) }
            }
            for (child, isDirectory) in names.sorted(by: { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }) {
                if isDirectory { try walk(child) } else { result.append(child) }
            }
        }
        try walk("")
        return result.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The digest of a sorted list of (relative path, file hash) pairs: the directory hash, and the
    /// output digest of a stage.
    public static func treeDigest(_ entries: [(path: String, sha256: String)]) -> String {
        var text = ""
        for entry in entries.sorted(by: { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }) {
            text += entry.path + "\0" + entry.sha256 + "\n"
        }
        return sha256Hex(text)
    }
}

extension Digest {
    /// Lower-case hex text of the digest bytes.
    var hexString: String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(Self.byteCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
