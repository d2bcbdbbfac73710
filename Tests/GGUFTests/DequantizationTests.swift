import Foundation
import Testing
@testable import GGUF

/// Every type Lathe dequantises, bit for bit against gguf-py's `gguf.quants.dequantize` on random blocks.
@Suite struct DequantizationTests {
    @Test("F32, F16, BF16, Q4_0–Q8_0 and Q2_K–Q6_K dequantise bit-identically to gguf-py on random blocks")
    func randomBlocksMatchGGUFPy() throws {
        let directory = try GGUFTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try GGUFTestSupport.fixtures(["quants", directory.path])
        let file = try GGUFFile(contentsOf: directory.appendingPathComponent("quants.gguf"))
        #expect(Set(file.tensors.map(\.type)) == Set(GGMLType.dequantizable))
        for type in GGMLType.dequantizable {
            let info = try file.tensor(type.name)
            #expect(info.type == type && info.shape == [3, 512])
            let expected = try GGUFTestSupport.floats(directory.appendingPathComponent("\(type.name).f32"))
            let values = try file.floats(type.name)
            #expect(values.count == expected.count)
            let differing = zip(values, expected).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(differing == 0, "\(type.name): \(differing) of \(values.count) values differ from gguf-py")
            #expect(values.contains { $0 != 0 }, "\(type.name): the blocks are not all zero")
        }
    }

    @Test("Float → float16 rounds to nearest even like numpy, for normals, subnormals, overflow and ties")
    func halfRounding() {
        #expect(Half.float16Bits(from: 1) == 0x3C00)
        #expect(Half.float16Bits(from: -2) == 0xC000)
        #expect(Half.float16Bits(from: 65504) == 0x7BFF)
        #expect(Half.float16Bits(from: 65520) == 0x7C00)  // rounds up to inf
        #expect(Half.float16Bits(from: 0x1p-24) == 0x0001)  // smallest subnormal
        #expect(Half.float16Bits(from: 0x1p-25) == 0x0000)  // tie to even (zero)
        #expect(Half.float16Bits(from: 0x1.8p-24) == 0x0002)  // tie to even (2)
        #expect(Half.float16Bits(from: 1 + 0x1p-11) == 0x3C00)  // tie to even
        #expect(Half.float16Bits(from: 1 + 0x1.8p-10) == 0x3C02)  // tie goes up to even
        #expect(Half.float16Bits(from: -0.0) == 0x8000)
        #expect(Half.float16Bits(from: .infinity) == 0x7C00)
        #expect(Half.float16Bits(from: .nan) & 0x7C00 == 0x7C00 && Half.float16Bits(from: .nan) & 0x3FF != 0)
        // Every finite half survives the round trip.
        let broken = (UInt16(0)...UInt16.max).filter {
            $0 & 0x7C00 != 0x7C00 && Half.float16Bits(from: Half.float(fromFloat16Bits: $0)) != $0
        }
        #expect(broken.isEmpty, "\(broken.count) finite halves do not round-trip, e.g. \(broken.prefix(3))")
    }
}
