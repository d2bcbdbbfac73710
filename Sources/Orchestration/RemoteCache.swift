import Foundation

/// A store's results shared through a remote cache (Bazel's HTTP protocol): blobs at `cas/<sha256>`,
/// one entry per stage key at `ac/<key>` (the manifest's bytes, see ``RemoteEntry``).
///
/// Restoring downloads every blob into a fresh work directory, checks its SHA-256 and size against the
/// entry, then publishes through ``ArtifactStore/publish(work:record:)`` — so a truncated, altered or
/// missing blob is reported and never enters the store. Uploading sends each blob the server lacks
/// (`HEAD`, then `PUT`) and the entry last, so a reader never sees an entry whose blobs are not all there.
/// After the first unreachable answer the cache turns itself off for the rest of the process (one clear
/// message, no further timeouts): the run continues locally.
public final class RemoteCache: @unchecked Sendable {
    /// What a lookup found.
    public enum Lookup: Sendable, Equatable {
        /// Restored and published in the local store.
        case restored(StageRecord, bytes: Int64)
        /// The remote has no entry for the key.
        case absent
        /// The remote's entry or one of its blobs is corrupt, partial or missing; nothing was stored.
        case unusable(String)
        /// The remote could not be reached (or is turned off after an earlier failure).
        case unavailable(String)
    }

    /// What an upload did.
    public struct Upload: Sendable, Equatable {
        public var blobsSent = 0
        public var blobsPresent = 0
        public var bytesSent: Int64 = 0
        public var entrySent = false
    }

    public let transport: any CacheTransport
    private let lock = NSLock()
    private var disabledReason: String?

    public init(transport: any CacheTransport) { self.transport = transport }

    /// Problems met so far (corrupt objects, failed uploads, the remote going away), for the run summary.
    public var problems: [String] { lock.withLock { recorded } }
    private var recorded: [String] = []
    /// Blobs whose download did not match its SHA-256 or size: uploads replace them.
    private var damagedBlobs: Set<String> = []

    public func recordProblem(_ text: String) { lock.withLock { recorded.append(text) } }

    /// `12.3 MB` (decimal megabytes, one decimal).
    public static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }

    /// Set once the remote failed to answer; every later call returns at once.
    public var disabled: String? { lock.withLock { disabledReason } }

    private func disable(_ error: OrchestrationError) -> String {
        let text = error.description
        lock.withLock { if disabledReason == nil { disabledReason = text } }
        return text
    }

    /// Looks `key` up and restores it into `store`. Call while holding the store lock.
    /// - Complexity: one GET per output blob plus one rehash of each.
    public func restore(_ key: String, into store: ArtifactStore) -> Lookup {
        if let why = disabled { return .unavailable(why) }
        var work: URL?
        defer { if let work { try? FileManager.default.removeItem(at: work) } }
        do {
            try StoreMarker.adopt(store.root)  // a store never written before gets its marker first, as a run gives it
            let dir = try store.makeWorkDirectory()
            work = dir
            let entryFile = dir.appendingPathComponent("entry.json")
            guard try transport.download("ac/\(key)", to: entryFile) else { return .absent }
            let bytes: Data
            do { bytes = try Data(contentsOf: entryFile) } catch {
                throw OrchestrationError.storeIO(path: entryFile.path, reason: error.localizedDescription)
            }
            try? FileManager.default.removeItem(at: entryFile)
            let record: StageRecord
            do { record = try RemoteEntry.parse(bytes, key: key) } catch {
                return .unusable("\(transport.displayURL)/ac/\(key) is not a usable entry: \(error.description)")
            }
            let out = dir.appendingPathComponent("out")
            var total: Int64 = 0
            for name in record.outputs.keys.sorted() {
                let file = record.outputs[name]!
                let target = out.appendingPathComponent(name)
                do {
                    try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                } catch {
                    throw OrchestrationError.storeIO(path: target.path, reason: error.localizedDescription)
                }
                let blob = "\(transport.displayURL)/cas/\(file.sha256)"
                guard try transport.download("cas/\(file.sha256)", to: target) else {
                    return .unusable("\(blob) (output '\(name)' of \(key.prefix(12))…) is missing from the remote; nothing was restored.")
                }
                let size = (try? FileManager.default.attributesOfItem(atPath: target.path)[.size] as? NSNumber)?.int64Value ?? -1
                let digest = try ContentHasher.hashFile(atPath: target.path)
                if digest != file.sha256 || size != file.size {
                    lock.withLock { _ = damagedBlobs.insert(file.sha256) }
                    return .unusable("\(blob) (output '\(name)') is corrupt: \(size) bytes with SHA-256 \(digest.prefix(12))…, the entry says \(file.size) bytes; nothing was restored.")
                }
                total += size
            }
            let published = try store.publish(work: dir, record: record)
            work = nil
            return .restored(published, bytes: total)
        } catch let error as OrchestrationError {
            switch error {
            case .remoteUnreachable: return .unavailable(disable(error))
            default: return .unusable(error.description)
            }
        } catch {
            return .unusable("\(error)")
        }
    }

    /// Sends the published entry `key` of `store`: blobs the remote lacks, then the entry.
    /// - Parameter verify: rehash every output first (`lathe push`), so a locally damaged entry is never shared.
    public func upload(_ key: String, from store: ArtifactStore, verify: Bool = false) throws(OrchestrationError) -> Upload {
        if disabled != nil { throw .remoteUnreachable(url: transport.displayURL, reason: "it failed earlier in this run") }
        guard case .present(let record) = store.state(of: key) else {
            throw .storeIO(path: store.entryDirectory(key).path, reason: "no intact entry to upload")
        }
        if verify, let problem = store.deepCheck(key) {
            throw .storeIO(path: store.entryDirectory(key).path, reason: "not uploaded: \(problem) (`lathe verify` quarantines it)")
        }
        var result = Upload()
        do {
            var sent: Set<String> = []
            for name in record.outputs.keys.sorted() {
                let file = record.outputs[name]!
                if !sent.insert(file.sha256).inserted { continue }
                // A blob this process found damaged on the server is sent again whatever HEAD says.
                let damaged = lock.withLock { damagedBlobs.contains(file.sha256) }
                if !damaged, try transport.exists("cas/\(file.sha256)") {
                    result.blobsPresent += 1
                    continue
                }
                try transport.upload("cas/\(file.sha256)", fromFile: store.outputDirectory(key).appendingPathComponent(name))
                result.blobsSent += 1
                if damaged { lock.withLock { _ = damagedBlobs.remove(file.sha256) } }
                result.bytesSent += file.size
            }
            try transport.upload("ac/\(key)", fromFile: URL(fileURLWithPath: store.manifestPath(key)))
            result.entrySent = true
        } catch {
            if case .remoteUnreachable = error { _ = disable(error) }
            throw error
        }
        return result
    }
}
