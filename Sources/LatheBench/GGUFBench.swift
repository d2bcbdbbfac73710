import Foundation
import GGUF
import Modeling

/// `lathe-bench gguf [MODEL.gguf] [--mib 64] [--reps 5]`
///
/// Dequantisation throughput per ggml type, in GB/s of Float32 written (10⁹ bytes/s; median of `reps`,
/// one thread), over an in-memory GGUF of random blocks with unit scales (`--mib` MiB of output per
/// type); then, given a model file, the time to open it and build the Lathe model (`GGUFModel.load`:
/// header, dequantisation of every tensor, the q/k un-permutation). One JSON object per line.
enum GGUFBench {
    static func run(_ arguments: [String]) -> Int32 {
        var mib = 64, reps = 5
        var model: String?
        var i = 0
        while i < arguments.count {
            switch arguments[i] {
            case "--mib": mib = Int(arguments[i + 1]) ?? mib; i += 1
            case "--reps": reps = Int(arguments[i + 1]) ?? reps; i += 1
            default: model = arguments[i]
            }
            i += 1
        }
        do {
            for type in GGMLType.dequantizable {
                let values = mib << 18  // floats: mib MiB of Float32
                let file = try GGUFFile(bytes: randomFile(type, values: values), name: type.name)
                var out = [Float](repeating: 0, count: values)
                var seconds: [Double] = []
                for _ in 0..<reps {
                    let start = DispatchTime.now().uptimeNanoseconds
                    try out.withUnsafeMutableBufferPointer { try file.copyFloats("t", into: $0) }
                    seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                let median = seconds.sorted()[seconds.count / 2]
                print("{\"bench\":\"gguf_dequantize\",\"type\":\"\(type.name)\",\"fp32_bytes\":\(values * 4),\"seconds\":\(median),"
                      + "\"gb_per_s\":\(Double(values * 4) / median / 1e9)}")
            }
            if let model {
                var seconds: [Double] = []
                var parameters = 0
                for _ in 0..<reps {
                    let start = DispatchTime.now().uptimeNanoseconds
                    let m = try GGUFModel.load(contentsOf: URL(fileURLWithPath: model))
                    seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    parameters = m.parameterCount
                }
                let median = seconds.sorted()[seconds.count / 2]
                print("{\"bench\":\"gguf_load\",\"file\":\"\((model as NSString).lastPathComponent)\",\"parameters\":\(parameters),"
                      + "\"seconds\":\(median),\"min_seconds\":\(seconds.min()!)}")
            }
            return 0
        } catch {
            FileHandle.standardError.write(Data("lathe-bench gguf: \(error)\n".utf8))
            return 1
        }
    }

    /// A GGUF holding one tensor `t` of `values` values of `type`: random bytes, every f16 scale 1.0 (so
    /// no NaN or subnormal arithmetic skews the timing).
    static func randomFile(_ type: GGMLType, values: Int) throws -> [UInt8] {
        var header = [UInt8]("GGUF".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { header.append(contentsOf: $0) } }
        u32(3); u64(1); u64(0)
        u64(1); header.append(UInt8(ascii: "t")); u32(1); u64(UInt64(values)); u32(type.id); u64(0)
        header.append(contentsOf: repeatElement(0, count: (32 - header.count % 32) % 32))
        let blocks = values / type.blockSize
        var data = [UInt8](repeating: 0, count: blocks * type.typeSize)
        var state: UInt64 = 0x1234_5678
        for j in data.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            data[j] = UInt8(truncatingIfNeeded: state >> 33)
        }
        let scales: [Int] = switch type.name {
        case "F16", "BF16": []
        case "Q2_K": [80, 82]
        case "Q3_K": [108]
        case "Q6_K": [208]
        case "Q4_1", "Q5_1", "Q4_K", "Q5_K": [0, 2]
        default: [0]
        }
        let one: (UInt8, UInt8) = type.name == "BF16" ? (0x80, 0x3F) : (0x00, 0x3C)
        if type.name == "F16" || type.name == "BF16" {
            for j in stride(from: 0, to: data.count, by: 2) { data[j + 1] = one.1 | (data[j] & 0x80) }
        }
        for b in 0..<blocks { for s in scales { data[b * type.typeSize + s] = one.0; data[b * type.typeSize + s + 1] = one.1 } }
        return header + data
    }
}
