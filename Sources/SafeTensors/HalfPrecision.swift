/// Bit-exact conversions from the 16-bit float formats to `Float`.
///
/// Written by hand (not via `Float16`) because `Float16` is unavailable on some platforms Swift supports,
/// and the conversions are exact, so there is one right answer to test against.
public enum HalfPrecision {
    /// IEEE 754 binary16 → binary32, exact for every input (subnormals, ±0, ±inf, NaN payload kept).
    @inline(__always)
    public static func float(fromFloat16Bits h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = UInt32(h >> 10) & 0x1F
        let mantissa = UInt32(h & 0x03FF)
        let bits: UInt32
        switch exponent {
        case 0:
            if mantissa == 0 {
                bits = sign  // ±0
            } else {
                // Subnormal half: value = mantissa × 2^-24, exactly representable as a normal Float.
                let magnitude = Float(mantissa) * 0x1p-24
                return sign == 0 ? magnitude : -magnitude
            }
        case 0x1F:
            bits = sign | 0x7F80_0000 | (mantissa << 13)  // inf or NaN (payload shifted into place)
        default:
            bits = sign | ((exponent + 112) << 23) | (mantissa << 13)  // rebias 15 → 127
        }
        return Float(bitPattern: bits)
    }

    /// bfloat16 → binary32: bfloat16 is the top half of a binary32, so this is exact.
    @inline(__always)
    public static func float(fromBFloat16Bits b: UInt16) -> Float {
        Float(bitPattern: UInt32(b) << 16)
    }
}
