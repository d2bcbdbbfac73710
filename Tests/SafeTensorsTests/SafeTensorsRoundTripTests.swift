import Foundation
import Testing
import TestSupport
@testable import SafeTensors

@Suite struct SafeTensorsRoundTripTests {
    /// recipes.md §4a golden vector, confirmed once against the Python `safetensors` package
    /// (`safetensors.numpy.save({"a": np.array([1, 2], np.float32)}, metadata={"format": "pt"})`) and
    /// re-checked by `PythonInteropTests`.
    static let golden: [UInt8] = hexBytes(
        "5800000000000000"
            + "7b225f5f6d657461646174615f5f223a7b22666f726d6174223a227074227d2c2261223a7b226474797065223a"
            + "22463332222c227368617065223a5b325d2c22646174615f6f666673657473223a5b302c385d7d7d202020"
            + "0000803f00000040")

    static func hexBytes(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }

    @Test func writerProducesTheGoldenBytes() throws {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.addFloat32("a", shape: [2], values: [1, 2])
        #expect(writer.serialize() == Self.golden)
        #expect(Self.golden.count == 104)
    }

    @Test func readerParsesTheGoldenBytes() throws {
        let file = try SafeTensorsFile(bytes: Self.golden)
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensors == [SafeTensorInfo(name: "a", dtype: .f32, shape: [2], dataOffsets: 0..<8)])
        #expect(try file.floats("a") == [1, 2])
    }

    @Test func roundTripPreservesNamesShapesValuesBitwise() throws {
        var rng = SplitMixGenerator(seed: 7)
        var writer = SafeTensorsWriter(metadata: ["format": "pt", "note": "quote \" backslash \\ tab \t é"])
        var expected: [String: ([Int], [Float])] = [:]
        let shapes: [(String, [Int])] = [("z.weight", [3, 5]), ("b", [7]), ("scalar", []), ("empty", [0, 4]), ("h.10.x", [2, 1, 3])]
        for (name, shape) in shapes {
            let count = shape.reduce(1, *)
            let values = (0..<count).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: rng.next() & 0x7F7F_FFFF)) }
            try writer.addFloat32(name, shape: shape, values: values)
            expected[name] = (shape, values)
        }
        let bytes = writer.serialize()
        // The header is padded so the data section starts 8-aligned.
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16
        #expect(headerLength % 8 == 0)
        let file = try SafeTensorsFile(bytes: bytes)
        #expect(file.metadata == ["format": "pt", "note": "quote \" backslash \\ tab \t é"])
        #expect(file.tensors.map(\.name) == ["b", "empty", "h.10.x", "scalar", "z.weight"])
        for (name, (shape, values)) in expected {
            #expect(file.info(name)?.shape == shape)
            #expect(try file.floats(name).map(\.bitPattern) == values.map(\.bitPattern))
        }
    }

    @Test func writeToDiskIsAtomicAndReadable() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.addFloat32("a", shape: [2], values: [1, 2])
        try writer.write(to: url)
        try writer.write(to: url)  // overwriting an existing file works too
        #expect(try [UInt8](Data(contentsOf: url)) == Self.golden)
        #expect(try SafeTensorsFile.read(contentsOf: url).floats("a") == [1, 2])
        // No temporary files are left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
    }

    @Test func copyFloatsFillsABufferAndChecksItsCount() throws {
        let file = try SafeTensorsFile(bytes: Self.golden)
        var out = [Float](repeating: 0, count: 2)
        try out.withUnsafeMutableBufferPointer { try file.copyFloats("a", into: $0) }
        #expect(out == [1, 2])
        var short = [Float](repeating: 0, count: 3)
        #expect(throws: SafeTensorsError.countMismatch(tensor: "a", expected: 2, actual: 3)) {
            try short.withUnsafeMutableBufferPointer { try file.copyFloats("a", into: $0) }
        }
        #expect(throws: SafeTensorsError.tensorNotFound(file: "<memory>", tensor: "b")) { try file.floats("b") }
    }

    @Test func writerRejectsDuplicateReservedAndMiscountedTensors() throws {
        var writer = SafeTensorsWriter()
        try writer.addFloat32("a", shape: [1], values: [1])
        #expect(throws: SafeTensorsError.duplicateTensorName(tensor: "a")) { try writer.addFloat32("a", shape: [1], values: [1]) }
        #expect(throws: SafeTensorsError.countMismatch(tensor: "b", expected: 6, actual: 5)) {
            try writer.addFloat32("b", shape: [2, 3], values: [1, 2, 3, 4, 5])
        }
        #expect(throws: (any Error).self) { try writer.addFloat32("__metadata__", shape: [1], values: [1]) }
        #expect(throws: (any Error).self) { try writer.addFloat32("c", shape: [-1], values: []) }
        #expect(writer.names == ["a"])
    }

    @Test func emptyMetadataIsOmittedAndNoTensorsIsValid() throws {
        let bytes = SafeTensorsWriter().serialize()
        #expect(bytes == rawSafeTensors(header: "{}", data: []))
        let file = try SafeTensorsFile(bytes: bytes)
        #expect(file.tensors.isEmpty && file.metadata.isEmpty)
    }

    @Test func integerTensorsAreValidatedButNotReadAsFloats() throws {
        let header = #"{"mask":{"dtype":"U8","shape":[2,2],"data_offsets":[8,12]},"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let file = try SafeTensorsFile(bytes: rawSafeTensors(header: header, data: f32Bytes([3, 4]) + [1, 0, 0, 1]))
        #expect(file.info("mask")?.dtype == .u8)
        #expect(try file.floats("w") == [3, 4])
        #expect(throws: SafeTensorsError.notFloatingPoint(file: "<memory>", tensor: "mask", dtype: .u8)) { try file.floats("mask") }
    }
}
