public import Foundation
import Checksums
import Files

/// A train/validation pair of encoded datasets, as cached.
public struct EncodedSplit: Sendable, Equatable {
    public var train: EncodedDataset
    public var validation: EncodedDataset
    public init(train: EncodedDataset, validation: EncodedDataset) {
        self.train = train
        self.validation = validation
    }
}

/// Content-addressed store of encoded datasets, shared by every stage, recipe and run.
///
/// The caller hashes (Datasets does no cryptography): it builds the canonical description with
/// ``description(tokenizerHash:dataHash:spec:sequenceLen:packing:valSetSize:seed:)``, takes its
/// SHA-256 as the key, and calls ``load(key:)`` / ``store(_:key:description:vocabSize:)``.
/// An entry is `DIR/<key[0..<2]>/<key>/` holding `train.bin`, `val.bin` (+ `.mask.bin`,
/// `.docs.bin`) and `description.json`. Entries are written under `DIR/tmp/` and renamed into
/// place, so a reader never sees half an entry. `checksums.txt` records every file's checksum; a
/// corrupt entry reads as a miss, is removed and reported.
public struct EncodedDatasetCache: Sendable {
    /// Bump when the encoding or file layout changes, so old entries stop matching.
    public static let formatVersion = 1

    public let directory: URL
    public init(directory: URL) { self.directory = directory }

    /// The canonical text to hash into a cache key: sorted-key JSON of everything that changes the
    /// encoded bytes. The dataset's path is deliberately absent (its content is `dataHash`).
    public static func description(
        tokenizerHash: String, dataHash: String, spec: DatasetSpec, sequenceLen: Int?, packing: Bool,
        valSetSize: ValSetSize?, seed: UInt64
    ) -> String {
        func q(_ s: String) -> String {
            "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        let val: String
        switch valSetSize {
        case nil: val = "null"
        case let .fraction(f)?: val = "{\"fraction\":\(f)}"
        case let .count(n)?: val = "{\"count\":\(n)}"
        }
        var fields: [(String, String)] = [
            ("data_hash", q(dataHash)),
            ("field", spec.field.map(q) ?? "null"),
            ("format", "\(formatVersion)"),
            ("max_samples", spec.maxSamples.map(String.init) ?? "null"),
            ("sample_packing", "\(packing)"),
            ("seed", "\(seed)"),
            ("sequence_len", sequenceLen.map(String.init) ?? "null"),
            ("template", q(spec.template.rawValue)),
            ("text_split", q(spec.documentSplit.rawValue)),
            ("tokenizer_hash", q(tokenizerHash)),
            ("train_on_eos", "\(spec.trainOnEOS)"),
            ("train_on_inputs", "\(spec.trainOnInputs)"),
            ("type", q(spec.type.rawValue)),
            ("val_set_size", val),
        ]
        // Added only when used, so the keys of datasets without them stay what they were.
        if let template = spec.chatTemplate {
            let json = (try? JSONEncoder().encode(template)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
            fields.append(("chat_template", json))
            fields.append(("train_on", q(spec.trainOn.rawValue)))
        }
        if spec.fields != FieldMapping(), let json = try? JSONEncoder().encode(spec.fields) {
            fields.append(("fields", String(decoding: json, as: UTF8.self)))
        }
        fields.sort { $0.0 < $1.0 }
        return "{" + fields.map { "\(q($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    func entry(_ key: String) -> URL {
        directory.appendingPathComponent(String(key.prefix(2))).appendingPathComponent(key)
    }

    /// The cached split for `key`, or nil on a miss. A corrupt entry (a file missing, damaged —
    /// its checksum differs from `checksums.txt` — or unparsable) is deleted, reported through
    /// `onDiscard` with its path and reason, and read as a miss, so it is rebuilt, never used.
    public func load(key: String, onDiscard: (String) -> Void = { _ in }) -> EncodedSplit? {
        let dir = entry(key)
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("description.json").path) else { return nil }
        do {
            try Self.checkSums(in: dir)
            return EncodedSplit(
                train: try EncodedDataset.read(from: dir.appendingPathComponent("train.bin")),
                validation: try EncodedDataset.read(from: dir.appendingPathComponent("val.bin")))
        } catch {
            try? FileManager.default.removeItem(at: dir)
            onDiscard("discarded the damaged encoded-dataset cache entry \(dir.path) (\(error)); re-encoding")
            return nil
        }
    }

    /// Name of the per-entry file listing `<file> <FNV-1a 64 hex>` for every other file.
    static let checksumsName = "checksums.txt"

    /// Throws unless every file of the entry is listed in `checksums.txt` with a matching checksum.
    static func checkSums(in dir: URL) throws {
        let listing = dir.appendingPathComponent(checksumsName)
        guard let text = try? String(contentsOf: listing, encoding: .utf8) else {
            throw DatasetError.unreadable(path: listing.path, reason: "missing")
        }
        var listed: Set<String> = [checksumsName]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let data = try? Data(RegularFile.read(dir.appendingPathComponent(String(parts[0])).path)),
                  checksum(data) == parts[1] else {
                throw DatasetError.badShard(path: dir.appendingPathComponent(String(parts.first ?? "")).path, reason: "missing or does not match its checksum")
            }
            listed.insert(String(parts[0]))
        }
        let present = Set((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
        guard present == listed else {
            throw DatasetError.badShard(path: dir.path, reason: "holds files \(present.subtracting(listed).sorted()) not in \(checksumsName), or lacks \(listed.subtracting(present).sorted())")
        }
    }

    /// FNV-1a 64-bit, 16 hex digits: detects damage (a flipped byte, a truncation), not tampering.
    static func checksum(_ data: Data) -> String { FNV1a.hex(data) }

    /// Stores `split` under `key` (atomically; an existing entry is kept, since equal keys mean equal data).
    public func store(_ split: EncodedSplit, key: String, description: String, vocabSize: Int) throws {
        let final = entry(key)
        if FileManager.default.fileExists(atPath: final.path) { return }
        let tmp = directory.appendingPathComponent("tmp").appendingPathComponent("\(key)-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
            try split.train.write(to: tmp.appendingPathComponent("train.bin"), vocabSize: vocabSize)
            try split.validation.write(to: tmp.appendingPathComponent("val.bin"), vocabSize: vocabSize)
            try Data((description + "\n").utf8).write(to: tmp.appendingPathComponent("description.json"))
            var sums = ""
            for name in try FileManager.default.contentsOfDirectory(atPath: tmp.path).sorted() {
                let data = try Data(contentsOf: tmp.appendingPathComponent(name))
                sums += "\(name) \(Self.checksum(data))\n"
            }
            try Data(sums.utf8).write(to: tmp.appendingPathComponent(Self.checksumsName))
            try FileManager.default.createDirectory(at: final.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.moveItem(at: tmp, to: final)
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            // Another process may have stored the same key first; that entry is equally good.
            if FileManager.default.fileExists(atPath: final.path) { return }
            if let e = error as? DatasetError { throw e }
            throw DatasetError.unwritable(path: final.path, reason: error.localizedDescription)
        }
    }

    /// The cached split for `key`, or `build()`'s result, stored. `hit` tells which.
    public func loadOrBuild(
        key: String, description: String, vocabSize: Int, onDiscard: (String) -> Void = { _ in },
        build: () throws -> EncodedSplit
    ) throws -> (split: EncodedSplit, hit: Bool) {
        if let cached = load(key: key, onDiscard: onDiscard) { return (cached, true) }
        let built = try build()
        try store(built, key: key, description: description, vocabSize: vocabSize)
        return (built, false)
    }
}
