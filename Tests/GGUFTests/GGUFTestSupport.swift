import Foundation
import TestSupport

/// Paths, temporary directories and the Python peers (gguf-py, transformers) for the GGUF tests.
enum GGUFTestSupport {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static var script: String { directory.appendingPathComponent("gguf_fixtures.py").path }

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-gguf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `gguf_fixtures.py arguments…`; returns stdout.
    @discardableResult
    static func fixtures(_ arguments: [String]) throws -> String { try Python.run([script] + arguments) }

    /// Little-endian Float32 / Float64 files the fixtures write.
    static func floats(_ url: URL) throws -> [Float] {
        try Data(contentsOf: url).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
    static func doubles(_ url: URL) throws -> [Double] {
        try Data(contentsOf: url).withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
    }

    /// The SmolLM2-135M-Instruct folder `scripts/fetch-models.sh` fills: the Q4_1 GGUF and, beside it,
    /// transformers' fp32 conversion of that GGUF (config.json, model.safetensors).
    static func smolLM2() throws -> URL { try ModelCache.folder(ModelCache.smolLM2) }
    static let smolLM2File = "SmolLM2-135M-Instruct.Q4_1.gguf"
}

/// Builds GGUF bytes field by field, so tests can write exactly the malformed file they mean.
struct RawGGUF {
    var bytes: [UInt8] = []

    /// Magic, version, tensor count and metadata count.
    static func header(version: UInt32 = 3, tensors: UInt64, keys: UInt64) -> RawGGUF {
        var r = RawGGUF()
        r.bytes = Array("GGUF".utf8)
        r.u32(version); r.u64(tensors); r.u64(keys)
        return r
    }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) { raw(Array(s.utf8)) }
    mutating func raw(_ b: [UInt8]) { u64(UInt64(b.count)); bytes.append(contentsOf: b) }
    /// A tensor info: name, ggml dimensions (innermost first), type id, data offset.
    mutating func tensor(_ name: String, _ dims: [UInt64], type: UInt32, offset: UInt64) {
        string(name); u32(UInt32(dims.count)); for d in dims { u64(d) }; u32(type); u64(offset)
    }
    /// Zero bytes up to the next multiple of `alignment`.
    mutating func pad(_ alignment: Int = 32) { bytes.append(contentsOf: repeatElement(0, count: (alignment - bytes.count % alignment) % alignment)) }
}
