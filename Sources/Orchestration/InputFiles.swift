public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files an input path of a recipe stands for, found by the one set of rules every reader of
/// inputs goes through (the hasher, the after-stage check, the stages' own pre-checks):
///
/// - a symbolic link (at the top or anywhere inside an input folder) is resolved and must land inside
///   the project root, else it is refused naming the link: an outside file must never be read, and
///   everything read must be in the key (links inside folders are followed and hashed, never skipped);
/// - only regular files and folders are accepted: a FIFO, device or socket is refused before it is
///   opened (it could block forever, like a FIFO, or never end, like `/dev/zero`);
/// - a folder reached twice through links is walked once (no cycles).
public enum InputFiles {
    /// What identifies one version of a file without reading it: the identity the hash cache trusts
    /// (size, mtime, inode) plus the device. Not `ctime`: it also changes when a hard link to the file
    /// is made or removed or its mode changes, and model weights are routinely hard-linked between
    /// projects and caches (`scripts/fetch-models.sh`), which must not fail a stage that is reading them.
    public struct Stamp: Sendable, Equatable {
        public var device: UInt64
        public var inode: UInt64
        public var size: Int64
        public var mtimeNanoseconds: Int64

        init(_ st: stat) {
            device = UInt64(st.st_dev)
            inode = UInt64(st.st_ino)
            size = Int64(st.st_size)
            mtimeNanoseconds = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        }
    }

    /// One regular file of an input.
    public struct File: Sendable, Equatable {
        /// Relative to the input folder ("" when the input is the file itself).
        public var relative: String
        /// The path as written (through any links), for reading and messages.
        public var path: String
        public var stamp: Stamp
    }

    /// The regular files of `path` (the file itself, or every file below the folder, sorted by
    /// relative path), each checked as described above.
    /// - Parameter root: the project root every resolved path must stay inside.
    /// - Throws: ``OrchestrationError/symlinkOutside(link:target:)``,
    ///   ``OrchestrationError/notRegularFile(path:kind:)``, ``OrchestrationError/unreadableInput(path:reason:)``.
    public static func list(_ path: String, root: String) throws(OrchestrationError) -> [File] {
        let realRoot = realPath(root) ?? root
        var visited: Set<[UInt64]> = []
        var result: [File] = []
        let st = try checkedStat(path, realRoot: realRoot)
        if st.st_mode & S_IFMT == S_IFDIR {
            try walk(path, relative: "", realRoot: realRoot, visited: &visited, into: &result)
        } else {
            result.append(File(relative: "", path: path, stamp: Stamp(st)))
        }
        return result.sorted { $0.relative.utf8.lexicographicallyPrecedes($1.relative.utf8) }
    }

    /// Checks one file a stage is about to read: inside the root once resolved, and regular.
    /// - Throws: as ``list(_:root:)``.
    public static func checkFile(_ path: String, root: String) throws(OrchestrationError) {
        let st = try checkedStat(path, realRoot: realPath(root) ?? root)
        if st.st_mode & S_IFMT == S_IFDIR { throw .notRegularFile(path: path, kind: "a folder") }
    }

    /// Words for a file type in messages ("a FIFO (named pipe)", "a character device"…).
    public static func kindName(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFIFO: "a FIFO (named pipe)"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFSOCK: "a socket"
        case S_IFDIR: "a folder"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }

    /// `stat` of `path` after checking any link on it resolves inside `realRoot`; refuses
    /// everything but regular files and folders.
    /// - Parameter parentChecked: the folder holding `path` is known to be inside the root, so only a
    ///   link needs resolving (one `lstat` per plain file while walking).
    private static func checkedStat(_ path: String, realRoot: String, parentChecked: Bool = false) throws(OrchestrationError) -> stat {
        var st = stat()
        guard lstat(path, &st) == 0 else { throw .unreadableInput(path: path, reason: String(cString: strerror(errno))) }
        if st.st_mode & S_IFMT == S_IFLNK || (!parentChecked && !isInside(path, realRoot: realRoot)) {
            guard let target = realPath(path) else {
                throw .unreadableInput(path: path, reason: "a symbolic link to nothing (\(linkText(path)))")
            }
            guard isInside(target, realRoot: realRoot, alreadyReal: true) else {
                if st.st_mode & S_IFMT == S_IFLNK { throw .symlinkOutside(link: path, target: target) }
                throw .unreadableInput(path: path, reason: "it resolves to \(target), outside the project root (through a linked folder on its way)")
            }
            guard stat(path, &st) == 0 else { throw .unreadableInput(path: path, reason: String(cString: strerror(errno))) }
        }
        let type = st.st_mode & S_IFMT
        guard type == S_IFREG || type == S_IFDIR else { throw .notRegularFile(path: path, kind: kindName(st.st_mode)) }
        return st
    }

    private static func walk(
        _ directory: String, relative: String, realRoot: String, visited: inout Set<[UInt64]>, into result: inout [File]
    ) throws(OrchestrationError) {
        var st = stat()
        guard stat(directory, &st) == 0 else { throw .unreadableInput(path: directory, reason: String(cString: strerror(errno))) }
        guard visited.insert([UInt64(st.st_dev), UInt64(st.st_ino)]).inserted else { return }
        guard let dir = opendir(directory) else {
            throw .unreadableInput(path: directory, reason: String(cString: strerror(errno)))
        }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            let full = directory + "/" + name
            let child = relative.isEmpty ? name : relative + "/" + name
            let info = try checkedStat(full, realRoot: realRoot, parentChecked: true)
            if info.st_mode & S_IFMT == S_IFDIR {
                try walk(full, relative: child, realRoot: realRoot, visited: &visited, into: &result)
            } else {
                result.append(File(relative: child, path: full, stamp: Stamp(info)))
            }
        }
    }

    /// Whether `path` (made real unless `alreadyReal`) is the root or below it.
    private static func isInside(_ path: String, realRoot: String, alreadyReal: Bool = false) -> Bool {
        guard let real = alreadyReal ? path : realPath(path) else { return false }
        return real == realRoot || real.hasPrefix(realRoot == "/" ? "/" : realRoot + "/")
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func linkText(_ path: String) -> String {
        var buffer = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buffer, 4096)
        guard n >= 0 else { return "unreadable" }
        return "-> " + String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
