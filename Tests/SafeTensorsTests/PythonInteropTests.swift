import Foundation
import Testing
import TestSupport
@testable import SafeTensors

/// Cross-checks against the reference implementation (the Python `safetensors` package, `pip install
/// safetensors numpy`). These tests fail, never skip, when the package is missing.
@Suite(.serialized) struct PythonInteropTests {
    /// Runs `python3 -c script` with `arguments`, returning stdout; records a failure with stderr otherwise.
    static func runPython(_ script: String, _ arguments: [String] = []) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errText = String(decoding: stderr, as: UTF8.self)
        if errText.contains("No module named 'safetensors'") || errText.contains("No module named 'numpy'") {
            throw PythonFailure(message: "the Python `safetensors` package is missing: run `pip install safetensors numpy`")
        }
        guard process.terminationStatus == 0 else {
            throw PythonFailure(message: "python3 exited with \(process.terminationStatus): \(errText)")
        }
        return String(decoding: stdout, as: UTF8.self)
    }

    struct PythonFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    @Test func referenceWriterProducesTheGoldenBytes() throws {
        let hex = try Self.runPython("""
            import numpy as np
            from safetensors.numpy import save
            print(save({"a": np.array([1.0, 2.0], dtype=np.float32)}, metadata={"format": "pt"}).hex())
            """)
        #expect(SafeTensorsRoundTripTests.hexBytes(hex.trimmingCharacters(in: .whitespacesAndNewlines))
            == SafeTensorsRoundTripTests.golden)
    }

    @Test func swiftReadsWhatPythonWrites() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("py.safetensors").path
        // Every one of the 65,536 F16 bit patterns, with numpy's own float32 conversion next to it, plus mixed
        // dtypes (the reference sorts them by alignment, so offsets differ from name order).
        _ = try Self.runPython("""
            import sys, numpy as np
            from safetensors.numpy import save_file
            rng = np.random.default_rng(3)
            h = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
            t = {"all_f16": h, "all_f16_as_f32": h.astype(np.float32),
                 "w": rng.standard_normal((3, 5)).astype(np.float32),
                 "d": rng.standard_normal(4), "d_as_f32": rng.standard_normal(4).astype(np.float32),
                 "mask": np.tril(np.ones((4, 4), dtype=np.uint8)), "idx": np.arange(3, dtype=np.int64)}
            t["d_as_f32"] = t["d"].astype(np.float32)
            save_file(t, sys.argv[1], metadata={"format": "pt"})
            """, [path])
        let file = try SafeTensorsFile.read(contentsOf: URL(fileURLWithPath: path))
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors.map(\.name) == ["all_f16", "all_f16_as_f32", "d", "d_as_f32", "idx", "mask", "w"])
        #expect(file.info("w")?.shape == [3, 5])
        #expect(file.info("idx")?.dtype == .i64)
        let converted = try file.floats("all_f16"), expected = try file.floats("all_f16_as_f32")
        #expect(converted.count == 65536)
        let mismatches = (0..<65536).filter {
            converted[$0].bitPattern != expected[$0].bitPattern && !(converted[$0].isNaN && expected[$0].isNaN)
        }
        #expect(mismatches.isEmpty, "F16 patterns converted differently from numpy: \(mismatches.prefix(5))")
        #expect(try file.floats("d") == file.floats("d_as_f32"))
    }

    @Test func pythonReadsWhatSwiftWritesAndReserializesIdenticalBytes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("swift.safetensors")
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        var rng = SplitMixGenerator(seed: 11)
        let tensors: [(String, [Int])] = [("transformer.wte.weight", [5, 4]), ("transformer.h.0.ln_1.bias", [4]),
                                          ("lm_scalar", []), ("zero", [0])]
        var expected: [String: [Float]] = [:]
        for (name, shape) in tensors {
            let values = (0..<shape.reduce(1, *)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 64 }
            try writer.addFloat32(name, shape: shape, values: values)
            expected[name] = values
        }
        try writer.write(to: url)
        // Python loads the file, prints each tensor, and re-saves the same dict with the reference writer.
        let output = try Self.runPython("""
            import sys, json
            from safetensors.numpy import load_file, save
            from safetensors import safe_open
            t = load_file(sys.argv[1])
            with safe_open(sys.argv[1], "np") as f:
                meta = f.metadata()
            again = save(t, metadata=meta)
            print(json.dumps({"meta": meta, "same_bytes": again == open(sys.argv[1], "rb").read(),
                              "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape),
                                              "values": [float(x) for x in v.reshape(-1)]} for k, v in t.items()}}))
            """, [url.path])
        let json = try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        #expect(json["meta"] as? [String: String] == ["format": "pt"])
        #expect(json["same_bytes"] as? Bool == true)
        let loaded = try #require(json["tensors"] as? [String: [String: Any]])
        #expect(Set(loaded.keys) == Set(expected.keys))
        for (name, shape) in tensors {
            #expect(loaded[name]?["dtype"] as? String == "float32")
            #expect(loaded[name]?["shape"] as? [Int] == shape)
            #expect((loaded[name]?["values"] as? [Double])?.map(Float.init) == expected[name])
        }
    }

    @Test func referenceRejectsWhatSwiftRejects() throws {
        // The overlap and trailing-bytes rules are the reference's; confirm it refuses the same files.
        let overlap = rawSafeTensors(
            header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"x":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
            data: f32Bytes([1, 2, 3]))
        let trailing = rawSafeTensors(header: #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#, data: f32Bytes([1, 2, 3]))
        for bytes in [overlap, trailing] {
            #expect(readError(bytes) != nil)
            let verdict = try Self.runPython("""
                import sys
                from safetensors.numpy import load
                try:
                    load(bytes.fromhex(sys.argv[1])); print("accepted")
                except Exception as e:
                    print("rejected")
                """, [bytes.map { String(format: "%02x", $0) }.joined()])
            #expect(verdict.trimmingCharacters(in: .whitespacesAndNewlines) == "rejected")
        }
    }
}
