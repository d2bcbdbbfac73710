import JSONText
public import Foundation
#if canImport(Glibc)
import Glibc
import Files
#endif

/// The content-addressed store: `<root>/<key[0..2]>/<key>/{manifest.json, out/…}`.
///
/// Entries are immutable. A stage writes into a work directory under `tmp/`; ``publish(work:record:)``
/// hashes the outputs, writes the manifest, fsyncs and renames the directory into place, so an entry
/// is either complete or absent. Resumable checkpoints live in `tmp/resume/<key>/` and survive a kill.
public struct ArtifactStore: Sendable {
    /// Presence of an entry, checked cheaply (manifest parses, every output exists with its size).
    public enum EntryState: Sendable, Equatable {
        case absent
        case present(StageRecord)
        case corrupt(String)
    }

    public let root: URL

    public init(root: URL) { self.root = root }

    public var tmpDirectory: URL { root.appendingPathComponent("tmp") }
    public var quarantineDirectory: URL { root.appendingPathComponent("quarantine") }
    public var hashCacheURL: URL { root.appendingPathComponent("hash-cache.tsv") }

    public func entryDirectory(_ key: String) -> URL {
        root.appendingPathComponent(String(key.prefix(2))).appendingPathComponent(key)
    }

    /// Where a published stage's outputs are (read-only for everyone).
    public func outputDirectory(_ key: String) -> URL { entryDirectory(key).appendingPathComponent("out") }

    func manifestPath(_ key: String) -> String { entryPath(key) + "/manifest.json" }

    /// `manifest.sha256`: the SHA-256 of `manifest.json`'s bytes, so damage to fields no output hash
    /// covers (params, metrics, cost) is caught too. Entries written before it existed got one when
    /// their store was marked (``StoreMarker/adopt(_:)``); since then a missing one is damage.
    public func manifestChecksumPath(_ key: String) -> String { entryPath(key) + "/manifest.sha256" }

    /// ``entryDirectory(_:)`` as a path, built without URL (which stats each path it appends to).
    func entryPath(_ key: String) -> String { root.path + "/" + key.prefix(2) + "/" + key }

    /// Checks an entry without reading its outputs. - Complexity: one stat per output file.
    public func state(of key: String) -> EntryState {
        let path = manifestPath(key)
        guard FileManager.default.fileExists(atPath: path) else { return .absent }
        let record: StageRecord
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            // A missing checksum is damage, not an older format: deleting it must not make an edited
            // manifest trusted. Entries of older stores got theirs once, when the store was marked.
            guard let recorded = try? RegularFile.read(manifestChecksumPath(key)) else {
                let older = StoreMarker.isMarked(root) ? "" : "; this store has no \(StoreMarker.fileName) yet (made by an older Lathe?): `lathe run` or `lathe verify` marks it and adds the missing checksums once"
                return .corrupt("\(manifestChecksumPath(key)) is missing, so \(path) cannot be trusted\(older)")
            }
            if String(decoding: recorded, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) != ContentHasher.sha256Hex(bytes: data) {
                return .corrupt("\(path) does not match its recorded SHA-256 (\(manifestChecksumPath(key)))")
            }
            let json: JSONValue
            do { json = try JSONValue.parse(data) } catch { return .corrupt("\(path): \(error)") }
            record = try StageRecord(json: json, path: path)
        } catch let error as OrchestrationError {
            return .corrupt(error.description)
        } catch {
            return .corrupt("\(path): \(error.localizedDescription)")
        }
        guard record.key == key else { return .corrupt("\(path): manifest names key \(record.key)") }
        let out = entryPath(key) + "/out"
        for (name, file) in record.outputs {
            var st = stat()
            guard stat(out + "/" + name, &st) == 0 else { return .corrupt("\(out)/\(name) is missing") }
            guard Int64(st.st_size) == file.size else {
                return .corrupt("\(out)/\(name) has \(st.st_size) bytes, the manifest says \(file.size)")
            }
        }
        return .present(record)
    }

    /// Rehashes every output of an entry. - Returns: nil when intact, else what is wrong.
    public func deepCheck(_ key: String) -> String? {
        switch state(of: key) {
        case .absent: return "\(manifestPath(key)) is missing"
        case .corrupt(let why): return why
        case .present(let record):
            let out = outputDirectory(key).path
            var pairs: [(path: String, sha256: String)] = []
            for name in record.outputs.keys.sorted() {
                let digest: String
                do { digest = try ContentHasher.hashFile(atPath: out + "/" + name) } catch { return error.description }
                if digest != record.outputs[name]!.sha256 { return "\(out)/\(name) does not match its recorded SHA-256" }
                pairs.append((name, digest))
            }
            if let listed = try? ContentHasher.listFiles(in: out), Set(listed) != Set(record.outputs.keys) {
                return "\(out) holds files its manifest does not list"
            }
            if ArtifactStore.digest(pairs) != record.outputDigest { return "\(manifestPath(key)): output digest mismatch" }
            return nil
        }
    }

    /// Files under `logs/` (timings, throughput) are hashed and verified like every output but stay
    /// out of the digest downstream keys see: they differ between identical runs, and must not defeat
    /// early cutoff or make a rerun look like a new result.
    public static let logsFolder = "logs/"

    /// The output digest: ``ContentHasher/treeDigest(_:)`` over every output except `logs/`.
    public static func digest(_ pairs: [(path: String, sha256: String)]) -> String {
        ContentHasher.treeDigest(pairs.filter { !$0.path.hasPrefix(logsFolder) })
    }

    /// A fresh, empty work directory with an `out/` inside, for one stage execution.
    public func makeWorkDirectory() throws(OrchestrationError) -> URL {
        let dir = tmpDirectory.appendingPathComponent("work-\(getpid())-\(UUID().uuidString.prefix(8))")
        do {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("out"), withIntermediateDirectories: true)
        } catch {
            throw .storeIO(path: dir.path, reason: error.localizedDescription)
        }
        return dir
    }

    /// Survives kills; removed when the stage with this key publishes.
    public func resumeDirectory(_ key: String) -> URL {
        tmpDirectory.appendingPathComponent("resume").appendingPathComponent(key)
    }

    /// Hashes `work/out`, writes the manifest and renames `work` to the entry.
    /// - Parameter record: everything but the outputs, which this fills in.
    /// - Returns: the published record.
    public func publish(work: URL, record: StageRecord) throws(OrchestrationError) -> StageRecord {
        var record = record
        let out = work.appendingPathComponent("out").path
        var pairs: [(path: String, sha256: String)] = []
        var outputs: [String: StageRecord.OutputFile] = [:]
        for name in try ContentHasher.listFiles(in: out) {
            let full = out + "/" + name
            AtomicFile.syncFile(full)
            let digest = try ContentHasher.hashFile(atPath: full)
            var st = stat()
            stat(full, &st)
            outputs[name] = .init(sha256: digest, size: Int64(st.st_size))
            pairs.append((name, digest))
            chmod(full, 0o444)  // entries are immutable: read-only files (folders stay writable so gc can delete)
        }
        record.outputs = outputs
        record.outputDigest = ArtifactStore.digest(pairs)
        let manifest = Data(record.json(includeSchema: true).rendered().utf8)
        try AtomicFile.write(manifest, to: work.appendingPathComponent("manifest.json"))
        try AtomicFile.write(Data((ContentHasher.sha256Hex(bytes: manifest) + "\n").utf8),
                             to: work.appendingPathComponent("manifest.sha256"))
        chmod(work.appendingPathComponent("manifest.json").path, 0o444)
        chmod(work.appendingPathComponent("manifest.sha256").path, 0o444)
        let destination = entryDirectory(record.key)
        let parent = destination.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw .storeIO(path: parent.path, reason: error.localizedDescription)
        }
        if FileManager.default.fileExists(atPath: destination.path) {
            // Same key ⇒ same content in a healthy store; an entry already here was found corrupt or
            // is a leftover, so move it aside rather than delete evidence.
            try quarantine(record.key, reason: "replaced by a fresh run")
        }
        guard rename(work.path, destination.path) == 0 else {
            throw .storeIO(path: destination.path, reason: String(cString: strerror(errno)))
        }
        AtomicFile.syncDirectory(parent.path)
        try? FileManager.default.removeItem(at: resumeDirectory(record.key))
        return record
    }

    /// Moves an entry to `quarantine/<key>-<time>` with a note, so it is never used again.
    public func quarantine(_ key: String, reason: String) throws(OrchestrationError) {
        let source = entryDirectory(key)
        let target = quarantineDirectory.appendingPathComponent("\(key)-\(Int(Date().timeIntervalSince1970))-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: quarantineDirectory, withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: source, to: target)
            try Data((reason + "\n").utf8).write(to: target.appendingPathExtension("reason.txt"))
        } catch {
            throw .storeIO(path: source.path, reason: error.localizedDescription)
        }
    }

    /// Every key with an entry directory, sorted.
    public func allKeys() -> [String] {
        let fm = FileManager.default
        guard let prefixes = try? fm.contentsOfDirectory(atPath: root.path) else { return [] }
        var keys: [String] = []
        for prefix in prefixes where prefix.count == 2 && prefix.allSatisfy(\.isHexDigit) {
            guard let names = try? fm.contentsOfDirectory(atPath: root.path + "/" + prefix) else { continue }
            keys += names.filter { ArtifactStore.isKey($0) && $0.hasPrefix(prefix) }
        }
        return keys.sorted()
    }

    /// Deletes an entry (gc). Renames it into `tmp/` first so a kill never leaves half an entry.
    public func remove(_ key: String) throws(OrchestrationError) {
        try removeByRenaming(entryDirectory(key), as: "gc-\(key)")
    }

    /// Where stages keep the encoded-dataset cache (`Datasets.EncodedDatasetCache`): a pure cache,
    /// rebuilt on demand.
    public var datasetsDirectory: URL { root.appendingPathComponent("datasets") }

    /// Keys with a resume checkpoint (`tmp/resume/<key>/`), sorted.
    public func resumeKeys() -> [String] {
        let dir = tmpDirectory.appendingPathComponent("resume")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.count == 64 && $0.allSatisfy(\.isHexDigit) }.sorted()
    }

    /// Deletes the resume checkpoint of `key` (gc); renamed into `tmp/` first, like `remove`.
    public func removeResume(_ key: String) throws(OrchestrationError) {
        try removeByRenaming(resumeDirectory(key), as: "gc-resume-\(key)")
    }

    /// A store key: 64 lower-case hex digits.
    public static func isKey(_ name: some StringProtocol) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// The folders of the encoded-dataset cache Lathe wrote (`datasets/<ab>/<key>/` and leftovers
    /// `datasets/tmp/<key>-<uuid>/`); nothing else under `datasets/` is ever listed, sized or deleted.
    public func datasetCacheEntries() -> [URL] {
        let fm = FileManager.default
        let base = datasetsDirectory.path
        var out: [URL] = []
        for name in ((try? fm.contentsOfDirectory(atPath: base)) ?? []).sorted() {
            let children = (try? fm.contentsOfDirectory(atPath: base + "/" + name)) ?? []
            if name.count == 2, name.allSatisfy(\.isHexDigit) {
                out += children.sorted().filter { ArtifactStore.isKey($0) && $0.hasPrefix(name) }
                    .map { URL(fileURLWithPath: base + "/" + name + "/" + $0) }
            } else if name == "tmp" {
                out += children.sorted().filter { $0.count > 65 && ArtifactStore.isKey($0.prefix(64)) && $0.dropFirst(64).hasPrefix("-") }
                    .map { URL(fileURLWithPath: base + "/tmp/" + $0) }
            }
        }
        return out
    }

    /// Deletes the encoded-dataset cache (gc): only the entries ``datasetCacheEntries()`` lists, each
    /// renamed into `tmp/` first (an entry is only ever read whole and checksummed), then the folders
    /// that held them if they are left empty.
    public func removeDatasetCache() throws(OrchestrationError) {
        for entry in datasetCacheEntries() {
            try removeByRenaming(entry, as: "gc-dataset-\(entry.lastPathComponent.prefix(64))")
            rmdir(entry.deletingLastPathComponent().path)  // fails, harmlessly, unless empty
        }
        rmdir(datasetsDirectory.path)
    }

    /// Whether a name under `tmp/` is one Lathe creates for a work or gc folder (``removeStaleWork()``
    /// deletes nothing else): `work-<pid>-<8 hex>` or `gc-<what>-<pid>`.
    static func isScratchName(_ name: String) -> Bool {
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return false }
        if parts[0] == "work" {
            return parts.count == 3 && !parts[1].isEmpty && parts[1].allSatisfy(\.isNumber)
                && parts[2].count == 8 && parts[2].allSatisfy(\.isHexDigit)
        }
        guard parts[0] == "gc", let last = parts.last, !last.isEmpty, last.allSatisfy(\.isNumber) else { return false }
        let middle = parts.dropFirst().dropLast()
        switch middle.count {
        case 1: return isKey(middle.first!) || middle.first! == "datasets"
        case 2: return ["resume", "dataset"].contains(middle.first!) && isKey(middle.last!)
        default: return false
        }
    }

    private func removeByRenaming(_ source: URL, as name: String) throws(OrchestrationError) {
        guard FileManager.default.fileExists(atPath: source.path) else { return }
        let doomed = tmpDirectory.appendingPathComponent("\(name)-\(getpid())")
        do {
            try FileManager.default.createDirectory(at: tmpDirectory, withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: source, to: doomed)
            try FileManager.default.removeItem(at: doomed)
        } catch {
            throw .storeIO(path: source.path, reason: error.localizedDescription)
        }
    }

    /// Bytes of the regular files below `url` (0 when it does not exist). O(files).
    public static func diskSize(of url: URL) -> Int64 {
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return 0 }
        var total: Int64 = 0
        for case let file as URL in walker {
            guard let values = try? file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), values.isRegularFile == true else { continue }
            total += Int64(values.fileSize ?? 0)
        }
        return total
    }

    /// The quarantined entries (damaged results, and results a forced rerun replaced), never read again.
    public func quarantineEntries() -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: quarantineDirectory.path)) ?? []
        return names.sorted().map { quarantineDirectory.appendingPathComponent($0) }
    }

    /// Deletes the quarantined entries (gc). A half-deleted one is as unused as a whole one.
    public func removeQuarantine() throws(OrchestrationError) {
        for entry in quarantineEntries() {
            do { try FileManager.default.removeItem(at: entry) } catch {
                throw .storeIO(path: entry.path, reason: error.localizedDescription)
            }
        }
    }

    /// Deletes leftovers of killed runs (work and gc directories; resume checkpoints are kept).
    /// Only call while holding the store lock exclusively.
    public func removeStaleWork() {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: tmpDirectory.path) else { return }
        for name in names where ArtifactStore.isScratchName(name) {
            try? fm.removeItem(atPath: tmpDirectory.path + "/" + name)
        }
    }
}
