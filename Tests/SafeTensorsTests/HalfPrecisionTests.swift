import Testing
@testable import SafeTensors

@Suite struct HalfPrecisionTests {
    /// (binary16 bits, exact Float value) known answers from the IEEE 754 tables.
    static let float16Answers: [(UInt16, Float)] = [
        (0x0000, 0), (0x3C00, 1), (0xC000, -2), (0x3800, 0.5), (0x3555, 0.333251953125),
        (0x7BFF, 65504),  // largest finite half
        (0x0400, 0x1p-14),  // smallest normal
        (0x0001, 0x1p-24),  // smallest subnormal
        (0x03FF, 1023 * 0x1p-24),  // largest subnormal
        (0x8001, -0x1p-24), (0x7C00, .infinity), (0xFC00, -.infinity),
    ]

    @Test func float16KnownAnswers() {
        for (bits, value) in Self.float16Answers {
            #expect(HalfPrecision.float(fromFloat16Bits: bits) == value, "bits 0x\(String(bits, radix: 16))")
        }
        #expect(HalfPrecision.float(fromFloat16Bits: 0x8000).bitPattern == 0x8000_0000)  // -0 keeps its sign
        #expect(HalfPrecision.float(fromFloat16Bits: 0x7E00).isNaN)
        #expect(HalfPrecision.float(fromFloat16Bits: 0xFE01).isNaN)
    }

    @Test func bfloat16KnownAnswers() {
        let answers: [(UInt16, Float)] = [
            (0x3F80, 1), (0xC000, -2), (0x4049, 3.140625), (0x7F7F, 0x1.FEp127), (0x0080, 0x1p-126),
            (0x0001, 0x1p-133), (0x7F80, .infinity), (0xFF80, -.infinity), (0x0000, 0),
        ]
        for (bits, value) in answers {
            #expect(HalfPrecision.float(fromBFloat16Bits: bits) == value, "bits 0x\(String(bits, radix: 16))")
        }
        #expect(HalfPrecision.float(fromBFloat16Bits: 0x7FC0).isNaN)
    }

    @Test func f16AndBF16TensorsAreReadAsFloats() throws {
        // F16 [1, -2, 65504] and BF16 [3.140625, 1] in one file; F16 first in the data section.
        let header = #"{"b":{"dtype":"BF16","shape":[2],"data_offsets":[6,10]},"h":{"dtype":"F16","shape":[3],"data_offsets":[0,6]}}"#
        let data: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x49, 0x40, 0x80, 0x3F]
        let file = try SafeTensorsFile(bytes: rawSafeTensors(header: header, data: data))
        #expect(try file.floats("h") == [1, -2, 65504])
        #expect(try file.floats("b") == [3.140625, 1])
    }

    @Test func f64TensorsRoundToNearestFloat() throws {
        let values: [Double] = [0.1, -1e300, 1.0 / 3.0]
        let data = values.flatMap { v in (0..<8).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * $0)) } }
        let header = #"{"d":{"dtype":"F64","shape":[3],"data_offsets":[0,24]}}"#
        let file = try SafeTensorsFile(bytes: rawSafeTensors(header: header, data: data))
        #expect(try file.floats("d") == [Float(0.1), -.infinity, Float(1.0 / 3.0)])
    }
}
