import Compute
public import Foundation
import Checksums

/// Checkpoint metadata (`trainer.json`). Format, version 1 — a directory holding:
/// - `trainer.json`: this struct (format tag, version, step, data cursor, RNG state, config,
///   hyperparameters, trainable flags, parameter names);
/// - `parameters.f32`: every parameter, layout order, raw little-endian Float32;
/// - `adam_m.f32`, `adam_v.f32`: AdamW moments of the trainable tensors, layout order (then adapter
///   tensors), same encoding;
/// - `adapters.f32`: with LoRA attached, the adapter parameters (`LoRAAdapters` order), same encoding.
struct CheckpointManifest: Codable {
    var format = "lathe-checkpoint"
    var version = 1
    var step: Int
    var cursor: Int
    var rngState: [UInt64]
    var config: GPTConfig
    var hyperparameters: TrainingHyperparameters
    var trainable: [Bool]
    var parameterNames: [String]
    /// Replay sampler cursor and ratio (absent without replay).
    var replayCursor: Int?
    var replayRatio: Double?
    /// LoRA settings and adapter tensor names when adapters are attached (absent otherwise).
    var adapterConfig: LoRAConfig?
    var adapterNames: [String]?
    /// FNV-1a 64 of each `.f32` file, hex (absent in checkpoints written before it existed, which
    /// are then refused: a flipped bit in a weight must never be trained on silently).
    var checksums: [String: String]?
}

extension GPTTrainer {
    /// Writes a checkpoint directory atomically (written beside it, then renamed over it). Resuming from
    /// it with the same data and thread count continues bitwise identically.
    /// - Throws: `.checkpoint` naming the path when a file cannot be written.
    public func saveCheckpoint(to directory: URL) throws(ModelingError) {
        let fm = FileManager.default
        let tmp = directory.deletingLastPathComponent().appendingPathComponent(".\(directory.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        do {
            try? fm.removeItem(at: tmp)
            try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
            var manifest = CheckpointManifest(
                step: step, cursor: sampler.cursor, rngState: rng.state, config: model.config,
                hyperparameters: hyperparameters, trainable: model.trainable, parameterNames: model.layout.parameters.map(\.name),
                replayCursor: replay == nil ? nil : replaySampler.cursor, replayRatio: replay?.ratio,
                adapterConfig: model.adapters?.config, adapterNames: model.adapters?.parameterShapes.map(\.name))
            var files = [
                ("parameters.f32", Self.floatData(model.storage.base, model.layout.totalCount)),
                ("adam_m.f32", Self.floatData(moments.base, momentCount)),
                ("adam_v.f32", Self.floatData(moments.base + momentCount, momentCount)),
            ]
            if let adapters = model.adapters {
                files.append(("adapters.f32", Self.floatData(adapters.storage.base, adapters.parameterCount)))
            }
            manifest.checksums = Dictionary(uniqueKeysWithValues: files.map { ($0.0, Self.checksum($0.1)) })
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(manifest).write(to: tmp.appendingPathComponent("trainer.json"))
            for (name, data) in files { try data.write(to: tmp.appendingPathComponent(name)) }
            if fm.fileExists(atPath: directory.path) { try fm.removeItem(at: directory) }
            try fm.moveItem(at: tmp, to: directory)
        } catch {
            try? fm.removeItem(at: tmp)
            throw .checkpoint(path: directory.path, problem: "could not write the checkpoint (\(error.localizedDescription))")
        }
    }

    /// Restores weights, AdamW moments, step, data cursor and RNG from `directory` into this trainer, which
    /// must have been created with the same config, hyperparameters, freezing and data.
    /// - Throws: `.checkpoint` when files are missing or truncated, or the checkpoint was made for a
    ///   different model or settings.
    public func loadCheckpoint(from directory: URL) throws(ModelingError) {
        let path = directory.path
        func fail(_ s: String) -> ModelingError { .checkpoint(path: path, problem: s) }
        let manifest: CheckpointManifest
        do {
            let bytes = try Data(contentsOf: directory.appendingPathComponent("trainer.json"))
            manifest = try JSONDecoder().decode(CheckpointManifest.self, from: bytes)
        } catch { throw fail("trainer.json is missing or unreadable (\(error.localizedDescription))") }
        guard manifest.format == "lathe-checkpoint", manifest.version == 1 else {
            throw fail("not a version-1 Lathe checkpoint (format '\(manifest.format)', version \(manifest.version))")
        }
        guard manifest.config == model.config, manifest.parameterNames == model.layout.parameters.map(\.name) else {
            throw fail("it was written for a different model shape")
        }
        guard manifest.hyperparameters == hyperparameters else { throw fail("it was written with different training settings") }
        guard manifest.trainable == model.trainable else { throw fail("it was written with different frozen parameters") }
        guard manifest.replayRatio == replay?.ratio else { throw fail("it was written with different replay settings") }
        guard manifest.adapterConfig == model.adapters?.config, manifest.adapterNames == model.adapters?.parameterShapes.map(\.name) else {
            throw fail("it was written with different LoRA adapters")
        }
        guard let checksums = manifest.checksums else { throw fail("trainer.json has no checksums (an older checkpoint)") }
        // Read and check every file before touching the model, so a refused checkpoint leaves
        // this trainer exactly as it was (the caller may then train from step 0).
        let parameters = try Self.readChecked(directory, "parameters.f32", count: model.layout.totalCount, checksums, fail)
        let adamM = try Self.readChecked(directory, "adam_m.f32", count: momentCount, checksums, fail)
        let adamV = try Self.readChecked(directory, "adam_v.f32", count: momentCount, checksums, fail)
        var adapterValues: Data?
        if let adapters = model.adapters {
            adapterValues = try Self.readChecked(directory, "adapters.f32", count: adapters.parameterCount, checksums, fail)
        }
        Self.copyFloats(parameters, into: model.storage.base, model.layout.totalCount)
        Self.copyFloats(adamM, into: moments.base, momentCount)
        Self.copyFloats(adamV, into: moments.base + momentCount, momentCount)
        if let adapters = model.adapters, let adapterValues {
            Self.copyFloats(adapterValues, into: adapters.storage.base, adapters.parameterCount)
        }
        step = manifest.step
        sampler.cursor = manifest.cursor
        replaySampler.cursor = manifest.replayCursor ?? 0
        rng.state = manifest.rngState
    }

    static func floatData(_ p: UnsafePointer<Float>, _ n: Int) -> Data {
        // Float32 bit patterns, explicitly little-endian
        var d = Data(count: n * 4)
        d.withUnsafeMutableBytes { raw in
            for i in 0..<n { raw.storeBytes(of: p[i].bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self) }
        }
        return d
    }

    /// A checkpoint file's bytes, after checking its size (`count` floats) and recorded checksum.
    static func readChecked(
        _ directory: URL, _ name: String, count n: Int, _ checksums: [String: String], _ fail: (String) -> ModelingError
    ) throws(ModelingError) -> Data {
        guard let d = try? Data(contentsOf: directory.appendingPathComponent(name)) else { throw fail("\(name) is missing") }
        guard d.count == n * 4 else { throw fail("\(name) holds \(d.count) bytes, expected \(n * 4)") }
        guard checksums[name] == checksum(d) else { throw fail("\(name) does not match its recorded checksum (the file is damaged)") }
        return d
    }

    /// FNV-1a 64-bit over the bytes, as 16 hex digits: detects damage, not tampering (the store's
    /// SHA-256 manifests cover published results; checkpoints are private scratch state).
    static func checksum(_ data: Data) -> String { FNV1a.hex(data) }

    static func copyFloats(_ d: Data, into p: UnsafeMutablePointer<Float>, _ n: Int) {
        d.withUnsafeBytes { raw in
            for i in 0..<n { p[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
        }
    }
}
