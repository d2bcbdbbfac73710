public import Foundation

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
/// place, so a reader never sees half an entry; a corrupt entry reads as a miss and is removed.
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
        let fields: [(String, String)] = [
            ("data_hash", q(dataHash)),
            ("field", spec.field.map(q) ?? "null"),
            ("format", "\(formatVersion)"),
            ("max_samples", spec.maxSamples.map(String.init) ?? "null"),
            ("sample_packing", "\(packing)"),
            ("seed", "\(seed)"),
            ("sequence_len", sequenceLen.map(String.init) ?? "null"),
            ("template", q(spec.template.rawValue)),
            ("text_split", q(spec.textSplit.rawValue)),
            ("tokenizer_hash", q(tokenizerHash)),
            ("train_on_eos", "\(spec.trainOnEOS)"),
            ("train_on_inputs", "\(spec.trainOnInputs)"),
            ("type", q(spec.type.rawValue)),
            ("val_set_size", val),
        ]
        return "{" + fields.map { "\(q($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    func entry(_ key: String) -> URL {
        directory.appendingPathComponent(String(key.prefix(2))).appendingPathComponent(key)
    }

    /// The cached split for `key`, or nil on a miss (a corrupt entry is deleted and reported as a miss).
    public func load(key: String) -> EncodedSplit? {
        let dir = entry(key)
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("description.json").path) else { return nil }
        do {
            return EncodedSplit(
                train: try EncodedDataset.read(from: dir.appendingPathComponent("train.bin")),
                validation: try EncodedDataset.read(from: dir.appendingPathComponent("val.bin")))
        } catch {
            try? FileManager.default.removeItem(at: dir)
            return nil
        }
    }

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
        key: String, description: String, vocabSize: Int, build: () throws -> EncodedSplit
    ) throws -> (split: EncodedSplit, hit: Bool) {
        if let cached = load(key: key) { return (cached, true) }
        let built = try build()
        try store(built, key: key, description: description, vocabSize: vocabSize)
        return (built, false)
    }
}
