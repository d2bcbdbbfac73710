import Compute
public import Foundation

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
            let manifest = CheckpointManifest(
                step: step, cursor: sampler.cursor, rngState: rng.state, config: model.config,
                hyperparameters: hyperparameters, trainable: model.trainable, parameterNames: model.layout.parameters.map(\.name),
                replayCursor: replay == nil ? nil : replaySampler.cursor, replayRatio: replay?.ratio,
                adapterConfig: model.adapters?.config, adapterNames: model.adapters?.parameterShapes.map(\.name))
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            try enc.encode(manifest).write(to: tmp.appendingPathComponent("trainer.json"))
            try Self.floatData(model.storage.base, model.layout.totalCount).write(to: tmp.appendingPathComponent("parameters.f32"))
            try Self.floatData(moments.base, momentCount).write(to: tmp.appendingPathComponent("adam_m.f32"))
            try Self.floatData(moments.base + momentCount, momentCount).write(to: tmp.appendingPathComponent("adam_v.f32"))
            if let adapters = model.adapters {
                try Self.floatData(adapters.storage.base, adapters.parameterCount).write(to: tmp.appendingPathComponent("adapters.f32"))
            }
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
        if let adapters = model.adapters {
            try Self.readFloats(directory.appendingPathComponent("adapters.f32"), into: adapters.storage.base, adapters.parameterCount, fail)
        }
        try Self.readFloats(directory.appendingPathComponent("parameters.f32"), into: model.storage.base, model.layout.totalCount, fail)
        try Self.readFloats(directory.appendingPathComponent("adam_m.f32"), into: moments.base, momentCount, fail)
        try Self.readFloats(directory.appendingPathComponent("adam_v.f32"), into: moments.base + momentCount, momentCount, fail)
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

    static func readFloats(_ url: URL, into p: UnsafeMutablePointer<Float>, _ n: Int, _ fail: (String) -> ModelingError) throws(ModelingError) {
        guard let d = try? Data(contentsOf: url) else { throw fail("\(url.lastPathComponent) is missing") }
        guard d.count == n * 4 else { throw fail("\(url.lastPathComponent) holds \(d.count) bytes, expected \(n * 4)") }
        d.withUnsafeBytes { raw in
            for i in 0..<n { p[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
        }
    }
}
