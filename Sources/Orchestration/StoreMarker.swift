public import Foundation
import Files

/// The file that makes a folder recognisable as a Lathe store: `<store>/.lathe-store`, written when a
/// run first uses the folder. `gc` deletes nothing in a folder without it, so pointing `--store` or
/// `$LATHE_STORE` at a project folder by mistake can never delete the project's own `datasets/` or `tmp/`.
///
/// Migration: stores made before the marker existed are marked by their next `lathe run` when they
/// look like one — every top-level name is one Lathe creates (see ``storeNames``) and there is at
/// least one entry in Lathe's key format (`ab/ab…(64 hex)/manifest.json`) or a hash memo with
/// Lathe's header. Marking such a store also writes the `manifest.sha256` its older entries lack
/// (once; from then on a missing checksum is damage). A run refuses any other non-empty folder
/// without the marker.
public enum StoreMarker {
    public static let fileName = ".lathe-store"
    static let content = "This folder is a Lathe artifact store (content-addressed results; see `lathe gc --help`).\n"

    /// Top-level names Lathe itself creates in a store (besides the two-hex-digit entry folders).
    static let storeNames: Set<String> = [".lock", fileName, "tmp", "quarantine", "datasets", "hash-cache.tsv", "README.md"]
    /// Names a new store may hold before its first run: the lock, and the README `lathe init` writes.
    static let newStoreNames: Set<String> = [".lock", "README.md"]

    public static func isMarked(_ root: URL) -> Bool {
        FileManager.default.fileExists(atPath: root.appendingPathComponent(fileName).path)
    }

    /// Before a run writes: marks a new (empty) folder or an older Lathe store; refuses anything else.
    /// Call while holding the ``StoreLock``.
    /// - Throws: ``OrchestrationError/notAStore(path:reason:)``, ``OrchestrationError/storeIO(path:reason:)``.
    public static func adopt(_ root: URL) throws(OrchestrationError) {
        if isMarked(root) { return }
        let names = removingInterruptedMarkerWrites(root)
        if names.contains(where: { !newStoreNames.contains($0) }) {
            if let stranger = names.sorted().first(where: { !isStoreName($0) }) {
                throw .notAStore(path: root.path, reason: "it holds '\(stranger)', which Lathe never writes in a store, and has no \(fileName) file")
            }
            guard looksLikeOlderStore(root, names: names) else {
                throw .notAStore(path: root.path, reason: "it is not empty, has no \(fileName) file and holds no Lathe store entry")
            }
            try addMissingManifestChecksums(ArtifactStore(root: root))
        }
        try create(root)
    }

    /// Writes the marker into a store folder Lathe has just created (`lathe init`, a first run).
    public static func create(_ root: URL) throws(OrchestrationError) {
        // AtomicFile makes the folder and names its temporary file so that a run killed mid-write
        // leaves a folder ``adopt(_:)`` still recognises as new.
        try AtomicFile.write(Data(content.utf8), to: root.appendingPathComponent(fileName))
    }

    /// The folder's names, after deleting the temporary files a marker write left when it was killed
    /// before its rename (``AtomicFile`` names them `.<name>.tmp-<pid>-<random>`): such a folder is
    /// still a new store, not a stranger's folder.
    static func removingInterruptedMarkerWrites(_ root: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let interrupted = names.filter { $0.hasPrefix("." + fileName + ".tmp-") }
        for name in interrupted { try? FileManager.default.removeItem(at: root.appendingPathComponent(name)) }
        return names.filter { !interrupted.contains($0) }
    }

    /// Before `gc` deletes anything: the folder must carry the marker (an empty folder has nothing to
    /// delete and passes too).
    /// - Throws: ``OrchestrationError/notAStore(path:reason:)``.
    public static func requireForDeleting(_ root: URL) throws(OrchestrationError) {
        if isMarked(root) { return }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        guard names.allSatisfy(newStoreNames.contains) else {
            let hint = looksLikeOlderStore(root, names: names)
                ? "it has no \(fileName) file; it looks like a store made by an older Lathe: one `lathe run` marks it"
                : "it has no \(fileName) file, so gc deletes nothing in it"
            throw .notAStore(path: root.path, reason: hint)
        }
    }

    /// The one-time migration of an older store: entries written before `manifest.sha256` existed get
    /// it now, so that from here on a missing checksum can count as damage.
    static func addMissingManifestChecksums(_ store: ArtifactStore) throws(OrchestrationError) {
        for key in store.allKeys() where !FileManager.default.fileExists(atPath: store.manifestChecksumPath(key)) {
            let manifest = store.entryDirectory(key).appendingPathComponent("manifest.json")
            guard let data = try? RegularFile.read(manifest.path) else { continue }
            try AtomicFile.write(Data((ContentHasher.sha256Hex(bytes: data) + "\n").utf8),
                                 to: URL(fileURLWithPath: store.manifestChecksumPath(key)))
        }
    }

    static func isStoreName(_ name: String) -> Bool {
        storeNames.contains(name) || (name.count == 2 && name.allSatisfy(\.isHexDigit))
    }

    static func looksLikeOlderStore(_ root: URL, names: [String]) -> Bool {
        let fm = FileManager.default
        if let head = try? FileHandle(forReadingFrom: root.appendingPathComponent("hash-cache.tsv")),
           let bytes = try? head.read(upToCount: HashCache.headerPrefix.utf8.count),
           String(decoding: bytes, as: UTF8.self) == HashCache.headerPrefix {
            return true
        }
        for prefix in names where prefix.count == 2 && prefix.allSatisfy(\.isHexDigit) {
            let keys = (try? fm.contentsOfDirectory(atPath: root.path + "/" + prefix)) ?? []
            if keys.contains(where: { ArtifactStore.isKey($0) && $0.hasPrefix(prefix)
                && fm.fileExists(atPath: root.path + "/" + prefix + "/" + $0 + "/manifest.json") }) {
                return true
            }
        }
        return false
    }
}
