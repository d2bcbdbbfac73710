/// Turns the stored blocks of each supported ggml type into Float32, with the same float operations in
/// the same order as gguf-py's `gguf.quants.dequantize`, so the results are bit-identical to it (Swift
/// does not fuse a multiply and an add into an FMA, and neither does numpy).
///
/// Block layouts (bytes): Q4_0 `d f16, 16×nibbles`; Q4_1 `d, m, nibbles`; Q5_0 `d, qh u32, nibbles`;
/// Q5_1 `d, m, qh, nibbles`; Q8_0 `d, 32×i8`; the 256-value K-quants as in ggml-common.h.
enum Dequantize {
    /// Dequantises `source` (whole blocks of `type`) into `destination` (`blocks × blockSize` floats).
    /// - Precondition: the counts match (the callers check them against the tensor's header).
    /// - Complexity: O(values), one pass, no allocation.
    static func run(_ type: GGMLType, source: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>) {
        guard let src = source.baseAddress, let out = destination.baseAddress else { return }
        let blocks = source.count / type.typeSize
        precondition(blocks * type.blockSize == destination.count && blocks * type.typeSize == source.count)
        switch type.id {
        case GGMLType.f32.id:
            UnsafeMutableRawPointer(out).copyMemory(from: src, byteCount: source.count)
        case GGMLType.f16.id:
            for i in 0..<blocks { out[i] = Half.float(fromFloat16Bits: u16(src, 2 * i)) }
        case GGMLType.bf16.id:
            for i in 0..<blocks { out[i] = Half.float(fromBFloat16Bits: u16(src, 2 * i)) }
        case GGMLType.q4_0.id: forBlocks(blocks, 18, 32, src, out, q4_0)
        case GGMLType.q4_1.id: forBlocks(blocks, 20, 32, src, out, q4_1)
        case GGMLType.q5_0.id: forBlocks(blocks, 22, 32, src, out, q5_0)
        case GGMLType.q5_1.id: forBlocks(blocks, 24, 32, src, out, q5_1)
        case GGMLType.q8_0.id: forBlocks(blocks, 34, 32, src, out, q8_0)
        case GGMLType.q2_K.id: forBlocks(blocks, 84, 256, src, out, q2_K)
        case GGMLType.q3_K.id: forBlocks(blocks, 110, 256, src, out, q3_K)
        case GGMLType.q4_K.id: forBlocks(blocks, 144, 256, src, out, q4_K)
        case GGMLType.q5_K.id: forBlocks(blocks, 176, 256, src, out, q5_K)
        case GGMLType.q6_K.id: forBlocks(blocks, 210, 256, src, out, q6_K)
        default: preconditionFailure("\(type) is not dequantizable")  // callers check canDequantize
        }
    }

    private typealias Block = (UnsafeRawPointer, UnsafeMutablePointer<Float>) -> Void

    @inline(__always)
    private static func forBlocks(_ n: Int, _ typeSize: Int, _ blockSize: Int, _ src: UnsafeRawPointer,
                                  _ out: UnsafeMutablePointer<Float>, _ body: Block) {
        for b in 0..<n { body(src + b * typeSize, out + b * blockSize) }
    }

    @inline(__always) private static func u16(_ p: UnsafeRawPointer, _ offset: Int) -> UInt16 {
        UInt16(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
    @inline(__always) private static func f16(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Half.float(fromFloat16Bits: u16(p, offset))
    }
    @inline(__always) private static func byte(_ p: UnsafeRawPointer, _ offset: Int) -> UInt8 {
        p.load(fromByteOffset: offset, as: UInt8.self)
    }

    private static func q4_0(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 0)
        for l in 0..<16 {
            let b = byte(p, 2 + l)
            o[l] = d * Float(Int(b & 0xF) - 8)
            o[l + 16] = d * Float(Int(b >> 4) - 8)
        }
    }

    private static func q4_1(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 0), m = f16(p, 2)
        for l in 0..<16 {
            let b = byte(p, 4 + l)
            o[l] = d * Float(b & 0xF) + m
            o[l + 16] = d * Float(b >> 4) + m
        }
    }

    private static func q5_0(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 0)
        let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        for l in 0..<16 {
            let b = UInt32(byte(p, 6 + l))
            let lo = (b & 0xF) | ((qh >> l) & 1) << 4
            let hi = (b >> 4) | ((qh >> (l + 16)) & 1) << 4
            o[l] = d * Float(Int(lo) - 16)
            o[l + 16] = d * Float(Int(hi) - 16)
        }
    }

    private static func q5_1(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 0), m = f16(p, 2)
        let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
        for l in 0..<16 {
            let b = UInt32(byte(p, 8 + l))
            let lo = (b & 0xF) | ((qh >> l) & 1) << 4
            let hi = (b >> 4) | ((qh >> (l + 16)) & 1) << 4
            o[l] = d * Float(lo) + m
            o[l + 16] = d * Float(hi) + m
        }
    }

    private static func q8_0(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 0)
        for l in 0..<32 { o[l] = Float(Int8(bitPattern: byte(p, 2 + l))) * d }
    }

    private static func q2_K(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 80), dmin = f16(p, 82)
        for j in 0..<2 {
            for s in 0..<4 {
                for l in 0..<32 {
                    let index = j * 128 + s * 32 + l
                    let sc = byte(p, index / 16)
                    let q = (byte(p, 16 + j * 32 + l) >> UInt8(2 * s)) & 3
                    o[index] = (d * Float(sc & 0xF)) * Float(q) - dmin * Float(sc >> 4)
                }
            }
        }
    }

    private static func q3_K(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 108)
        var dl = (Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0),
                  Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0), Float(0))
        withUnsafeMutableBytes(of: &dl) { raw in
            let scale = raw.bindMemory(to: Float.self)
            for i in 0..<16 {
                let low = (byte(p, 96 + i % 8) >> UInt8(4 * (i / 8))) & 0xF
                let high = (byte(p, 104 + i % 4) >> UInt8(2 * (i / 4))) & 3
                scale[i] = d * Float(Int(low | high << 4) - 32)
            }
            for j in 0..<2 {
                for s in 0..<4 {
                    for l in 0..<32 {
                        let index = j * 128 + s * 32 + l
                        let low = Int((byte(p, 32 + j * 32 + l) >> UInt8(2 * s)) & 3)
                        let high = Int((byte(p, l) >> UInt8(j * 4 + s)) & 1)
                        o[index] = scale[index / 16] * Float(low - ((high ^ 1) << 2))
                    }
                }
            }
        }
    }

    /// The 6-bit scale and min of sub-block `i` (0..<8) of a Q4_K / Q5_K block whose 12 scale bytes start at `s`.
    @inline(__always)
    private static func scaleMin(_ p: UnsafeRawPointer, _ s: Int, _ i: Int) -> (UInt8, UInt8) {
        if i < 4 { return (byte(p, s + i) & 0x3F, byte(p, s + i + 4) & 0x3F) }
        let scale = (byte(p, s + i + 4) & 0xF) | ((byte(p, s + i - 4) >> 2) & 0x30)
        let minimum = (byte(p, s + i + 4) >> 4) | ((byte(p, s + i) >> 2) & 0x30)
        return (scale, minimum)
    }

    private static func q4_K(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 0), dmin = f16(p, 2)
        for sub in 0..<8 {
            let (sc, mn) = scaleMin(p, 4, sub)
            let scale = d * Float(sc), offset = dmin * Float(mn)
            let j = sub / 2, shift = UInt8(4 * (sub % 2))
            for l in 0..<32 {
                let q = (byte(p, 16 + j * 32 + l) >> shift) & 0xF
                o[sub * 32 + l] = scale * Float(q) - offset
            }
        }
    }

    private static func q5_K(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 0), dmin = f16(p, 2)
        for sub in 0..<8 {
            let (sc, mn) = scaleMin(p, 4, sub)
            let scale = d * Float(sc), offset = dmin * Float(mn)
            let j = sub / 2, shift = UInt8(4 * (sub % 2))
            for l in 0..<32 {
                let low = (byte(p, 48 + j * 32 + l) >> shift) & 0xF
                let high = (byte(p, 16 + l) >> UInt8(sub)) & 1
                o[sub * 32 + l] = scale * Float(low | high << 4) - offset
            }
        }
    }

    private static func q6_K(_ p: UnsafeRawPointer, _ o: UnsafeMutablePointer<Float>) {
        let d = f16(p, 208)
        for j in 0..<2 {
            for r in 0..<128 {
                let index = j * 128 + r
                let low = (byte(p, j * 64 + r % 64) >> UInt8(4 * (r / 64))) & 0xF
                let high = (byte(p, 128 + j * 32 + r % 32) >> UInt8(2 * (r / 32))) & 3
                let scale = d * Float(Int8(bitPattern: byte(p, 192 + index / 16)))
                o[index] = scale * Float(Int(low | high << 4) - 32)
            }
        }
    }
}
