/// Bit-exact conversions between the 16-bit float formats and `Float` (the same results as numpy's
/// `astype`), written out so the GGUF target needs no other module.
enum Half {
    /// IEEE binary16 bits → Float, exact (subnormals, ±0, ±inf, NaN payload shifted into place).
    @inline(__always)
    static func float(fromFloat16Bits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        switch exponent {
        case 0:
            if mantissa == 0 { return Float(bitPattern: sign) }
            let magnitude = Float(mantissa) * 0x1p-24  // subnormal half: exact as a normal Float
            return sign == 0 ? magnitude : -magnitude
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
        }
    }

    /// bfloat16 bits → Float (the top half of a binary32), exact.
    @inline(__always)
    static func float(fromBFloat16Bits b: UInt16) -> Float { Float(bitPattern: UInt32(b) << 16) }

    /// Float → IEEE binary16 bits, rounding to nearest even (numpy's `astype(np.float16)`): overflow goes
    /// to ±inf, NaN stays NaN (quiet), tiny values become subnormals or ±0.
    static func float16Bits(from value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF {
            return sign | 0x7C00 | (mantissa == 0 ? 0 : UInt16(0x200 | (mantissa >> 13)))
        }
        let e = exponent - 127 + 15
        if e >= 0x1F { return sign | 0x7C00 }
        if e <= 0 {
            // Subnormal half (or zero): shift the full significand right with round-to-nearest-even.
            if e < -10 { return sign }
            let significand = mantissa | 0x80_0000
            let shift = UInt32(14 - e)
            var half = significand >> shift
            let remainder = significand & ((1 << shift) - 1)
            let halfway = UInt32(1) << (shift - 1)
            if remainder > halfway || (remainder == halfway && (half & 1) == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(e) << 10 | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && (half & 1) == 1) { half += 1 }  // may carry into inf: correct
        return sign | UInt16(half)
    }
}
