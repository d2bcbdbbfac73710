public import Foundation
import Files
#if canImport(Glibc)
import Glibc
#endif

/// Memoised file hashes keyed by (absolute path, size, mtime in ns, inode), like DVC's state DB.
///
/// A no-op run stats its inputs and finds them here, so it reads no data file. The key is never a
/// rerun trigger on its own: a file whose stat changed is rehashed, and only a changed hash counts.
/// Stored as one tab-separated line per file in `<store>/hash-cache.tsv` after a checksummed header
/// line, written atomically and only when something changed.
///
/// Not thread-safe; the executor uses it from one thread.
public final class HashCache {
    struct Entry: Equatable {
        var size: Int64
        var mtimeNanoseconds: Int64
        var inode: UInt64
        var sha256: String
    }

    public let fileURL: URL
    private var entries: [String: Entry] = [:]
    private(set) public var isDirty = false
    /// Files actually read and hashed by this instance (a no-op run keeps it at zero).
    private(set) public var filesHashed = 0

    /// Why the memo file on disk was thrown away (nil when it was absent or intact). The memo's hashes
    /// enter cache keys, so a damaged line must never be believed: the whole file is dropped and
    /// every input rehashed. The CLI prints this as a warning.
    public private(set) var discarded: String?

    /// First line of the file: a format tag and the SHA-256 of everything after that line.
    static let headerPrefix = "# lathe hash-cache v1 sha256="

    /// Loads the cache; a missing file starts an empty cache, and so does a damaged one (it is only
    /// a memo), noting why in ``discarded``.
    public init(fileURL: URL) {
        self.fileURL = fileURL
        guard let data = try? Data(contentsOf: fileURL) else { return }
        guard let text = String(data: data, encoding: .utf8), let newline = text.firstIndex(of: "\n"),
              text[..<newline].hasPrefix(Self.headerPrefix) else {
            discarded = "\(fileURL.path) has no valid header (damaged, or written by an older Lathe); rehashing every input"
            isDirty = true
            return
        }
        let body = text[text.index(after: newline)...]
        guard text[..<newline].dropFirst(Self.headerPrefix.count) == ContentHasher.sha256Hex(String(body)) else {
            discarded = "\(fileURL.path) does not match its checksum (damaged); rehashing every input"
            isDirty = true
            return
        }
        for line in body.split(separator: "\n", omittingEmptySubsequences: true) {
            let fields = line.split(separator: "\t", maxSplits: 4, omittingEmptySubsequences: false)
            guard fields.count == 5, let size = Int64(fields[0]), let mtime = Int64(fields[1]),
                  let inode = UInt64(fields[2]), fields[3].count == 64 else { continue }
            entries[String(fields[4])] = Entry(size: size, mtimeNanoseconds: mtime, inode: inode, sha256: String(fields[3]))
        }
    }

    /// The files behind each input path hashed so far (by the path given to ``hash(path:root:)``),
    /// with the stamps they had then: the executor compares them after a stage to catch an input
    /// edited while the run was going on.
    public private(set) var observed: [String: [InputFiles.File]] = [:]

    /// The SHA-256 of a file or directory (see ``ContentHasher``), from the memo when its stat matches.
    /// Files are found by ``InputFiles/list(_:root:)``: links are followed only inside `root` (and
    /// hashed like the files they name), anything but regular files and folders is refused.
    public func hash(path: String, root: String = "/") throws(OrchestrationError) -> String {
        let files = try InputFiles.list(path, root: root)
        observed[path] = files
        if files.count == 1, files[0].relative.isEmpty { return try hash(files[0]) }
        var pairs: [(path: String, sha256: String)] = []
        for file in files { pairs.append((file.relative, try hash(file))) }
        return ContentHasher.treeDigest(pairs)
    }

    private func hash(_ file: InputFiles.File) throws(OrchestrationError) -> String {
        let path = file.path
        let probe = Entry(size: file.stamp.size, mtimeNanoseconds: file.stamp.mtimeNanoseconds, inode: file.stamp.inode, sha256: "")
        if let hit = entries[path], hit.size == probe.size, hit.mtimeNanoseconds == probe.mtimeNanoseconds,
           hit.inode == probe.inode {
            return hit.sha256
        }
        let digest = try ContentHasher.hashFile(atPath: path)
        filesHashed += 1
        var entry = probe
        entry.sha256 = digest
        entries[path] = entry
        isDirty = true
        return digest
    }

    /// Writes the memo if it changed (temp file + rename, so a kill never leaves half a file).
    public func saveIfNeeded() throws(OrchestrationError) {
        guard isDirty else { return }
        var text = ""
        for path in entries.keys.sorted() {
            let e = entries[path]!
            text += "\(e.size)\t\(e.mtimeNanoseconds)\t\(e.inode)\t\(e.sha256)\t\(path)\n"
        }
        try AtomicFile.write(Data((Self.headerPrefix + ContentHasher.sha256Hex(text) + "\n" + text).utf8), to: fileURL)
        isDirty = false
    }
}
