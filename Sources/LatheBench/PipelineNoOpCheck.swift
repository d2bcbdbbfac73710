import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Evidence that a no-op reads no data file and writes nothing.
///
/// 1. A snapshot of every entry under the project (path → type, size, mtime ns, inode) before and after
///    one run: any written, created, replaced or deleted file shows up.
/// 2. `strace -f -e trace=openat,open,creat` of one run: which files were opened at all, which of them
///    are data sets (`pipelines/data/`), and which were opened with a write flag.
enum PipelineNoOpCheck {
    struct Entry: Equatable {
        var isDirectory: Bool
        var size: Int64
        var mtimeNanoseconds: Int64
        var inode: UInt64
    }

    /// Every entry below `root` (lstat; symlinks not followed), keyed by relative path.
    static func snapshot(_ root: String) -> [String: Entry] {
        var result: [String: Entry] = [:]
        func walk(_ relative: String) {
            let full = relative.isEmpty ? root : root + "/" + relative
            guard let dir = opendir(full) else { return }
            defer { closedir(dir) }
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name == "." || name == ".." { continue }
                let child = relative.isEmpty ? name : relative + "/" + name
                var st = stat()
                guard lstat(root + "/" + child, &st) == 0 else { continue }
                let isDirectory = st.st_mode & S_IFMT == S_IFDIR
                result[child] = Entry(
                    isDirectory: isDirectory, size: isDirectory ? 0 : Int64(st.st_size),
                    mtimeNanoseconds: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
                    inode: UInt64(st.st_ino))
                if isDirectory { walk(child) }
            }
        }
        walk("")
        return result
    }

    struct Difference {
        var changed: [String] = []
        var added: [String] = []
        var removed: [String] = []
        var total: Int { changed.count + added.count + removed.count }
    }

    static func compare(_ before: [String: Entry], _ after: [String: Entry]) -> Difference {
        var d = Difference()
        for (path, entry) in after {
            if let old = before[path] {
                if old != entry { d.changed.append(path) }
            } else {
                d.added.append(path)
            }
        }
        d.removed = before.keys.filter { after[$0] == nil }
        d.changed.sort(); d.added.sort(); d.removed.sort()
        return d
    }

    struct Trace {
        var available: Bool
        var opened: Int = 0
        /// Opened files under `pipelines/data/`.
        var dataFilesOpened: [String] = []
        /// Files inside the project opened with O_WRONLY, O_RDWR, O_CREAT or O_TRUNC.
        var openedForWrite: [String] = []
        /// Manifests opened (`manifest.json` in the store).
        var manifestsOpened = 0
        var note = ""
    }

    /// Runs `argv` once under strace in `project` and classifies the opened paths.
    static func trace(_ argv: [String], project: String, scratch: String) -> Trace {
        let log = scratch + "/strace-\(getpid()).log"
        defer { unlink(log) }
        let code: Int32
        do {
            code = try PipelineProcessTimer.runQuietly(["strace", "-f", "-qq", "-e", "trace=openat,open,creat", "-o", log] + argv, cwd: project)
        } catch {
            return Trace(available: false, note: "strace could not start: \(error)")
        }
        guard let text = try? String(contentsOfFile: log, encoding: .utf8), !text.isEmpty else {
            return Trace(available: false, note: "strace wrote no log (exit \(code)); is ptrace allowed here?")
        }
        var trace = Trace(available: true)
        trace.note = "traced command exit \(code)"
        for line in text.split(separator: "\n") {
            // e.g. 1234  openat(AT_FDCWD, "/x/pipelines/bench.yaml", O_RDONLY|O_CLOEXEC) = 3
            guard line.contains("open"), let q1 = line.firstIndex(of: "\"") else { continue }
            let rest = line[line.index(after: q1)...]
            guard let q2 = rest.firstIndex(of: "\"") else { continue }
            if line.hasSuffix("ENOENT (No such file or directory)") || line.contains("= -1") { continue }
            trace.opened += 1
            var path = String(rest[..<q2])
            if !path.hasPrefix("/") { path = project + "/" + path }
            let flags = line[rest.index(after: q2)...]
            let inProject = path.hasPrefix(project + "/")
            let relativePath = inProject ? String(path.dropFirst(project.count + 1)) : path
            if relativePath.hasPrefix("pipelines/data/") { trace.dataFilesOpened.append(relativePath) }
            if relativePath.hasSuffix("/manifest.json") { trace.manifestsOpened += 1 }
            if inProject && (flags.contains("O_WRONLY") || flags.contains("O_RDWR") || flags.contains("O_CREAT")
                || flags.contains("O_TRUNC")) {
                trace.openedForWrite.append(relativePath)
            }
        }
        trace.dataFilesOpened = Array(Set(trace.dataFilesOpened)).sorted()
        trace.openedForWrite = Array(Set(trace.openedForWrite)).sorted()
        return trace
    }
}
