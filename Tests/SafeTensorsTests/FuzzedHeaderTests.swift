import Testing
import TestSupport
@testable import SafeTensors

/// Randomized robustness: thousands of seeded mutations of valid files must each be accepted or rejected
/// with a `SafeTensorsError`, never crash, hang or allocate by an untrusted length.
@Suite struct FuzzedHeaderTests {
    static func validFile() throws -> [UInt8] {
        var writer = SafeTensorsWriter(metadata: ["format": "pt"])
        try writer.addFloat32("h.0.attn.c_attn.weight", shape: [2, 6], values: (0..<12).map(Float.init))
        try writer.addFloat32("wte.weight", shape: [3, 2], values: (0..<6).map(Float.init))
        try writer.addFloat32("b", shape: [], values: [1])
        return writer.serialize()
    }

    @Test func byteMutationsNeverCrash() throws {
        let original = try Self.validFile()
        let headerEnd = 8 + Int(original[0]) + Int(original[1]) << 8
        var rng = SplitMixGenerator(seed: 0x5AFE)
        var accepted = 0
        for _ in 0..<4000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                // Earlier steps may have truncated the file; keep indices inside it.
                let limit = min(headerEnd, bytes.count)
                guard limit > 8 else { break }
                switch Int.random(in: 0..<4, using: &rng) {
                case 0:  // flip a random byte in the header region (where the parser lives)
                    let i = Int.random(in: 0..<limit, using: &rng)
                    bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1:  // replace a header byte with a JSON-significant character
                    let i = Int.random(in: 8..<limit, using: &rng)
                    bytes[i] = Array("{}[]\",:0123456789-.eE \\u".utf8).randomElement(using: &rng)!
                case 2:  // truncate
                    bytes.removeLast(Int.random(in: 0..<bytes.count, using: &rng))
                default:  // insert a byte
                    bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
                }
            }
            if let file = try? SafeTensorsFile(bytes: bytes) {
                accepted += 1
                // An accepted file must be fully readable without trapping.
                for info in file.tensors where info.dtype.isFloatingPoint { _ = try file.floats(info.name) }
            }
        }
        #expect(accepted < 4000)  // the mutations must actually break most files
    }

    @Test func randomHeadersWithHostileNumbersNeverCrash() {
        var rng = SplitMixGenerator(seed: 42)
        let numbers = ["0", "1", "8", "-1", "1e3", "0.5", "9223372036854775807", "9223372036854775808",
                       "18446744073709551616", "4294967296", "00", "-0"]
        let dtypes = ["F32", "F16", "BF16", "I64", "BOOL", "X", ""]
        for _ in 0..<3000 {
            let n = Int.random(in: 0...3, using: &rng)
            var entries: [String] = []
            for k in 0..<n {
                let shape = (0..<Int.random(in: 0...3, using: &rng)).map { _ in numbers.randomElement(using: &rng)! }
                let begin = numbers.randomElement(using: &rng)!, end = numbers.randomElement(using: &rng)!
                let dtype = dtypes.randomElement(using: &rng)!
                entries.append(#""t\#(k)":{"dtype":"\#(dtype)","shape":[\#(shape.joined(separator: ","))],"data_offsets":[\#(begin),\#(end)]}"#)
            }
            let data = (0..<Int.random(in: 0...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let bytes = rawSafeTensors(header: "{" + entries.joined(separator: ",") + "}", data: data,
                                       pad: Bool.random(using: &rng))
            if let file = try? SafeTensorsFile(bytes: bytes) {
                for info in file.tensors where info.dtype.isFloatingPoint { _ = try? file.floats(info.name) }
            }
        }
    }
}
