extension SafeTensorsFile {
    /// Values of `name` converted to Float32 (F32 copied; F16/BF16 converted exactly; F64 rounded to nearest).
    /// - Throws: `.tensorNotFound`, or `.notFloatingPoint` for integer and bool dtypes.
    /// - Complexity: O(n) time and one n-element allocation.
    public func floats(_ name: String) throws(SafeTensorsError) -> [Float] {
        guard let info = info(name) else { throw .tensorNotFound(file: source, tensor: name) }
        let count = info.elementCount
        var result = [Float](repeating: 0, count: count)
        try result.withUnsafeMutableBufferPointer { (buffer) throws(SafeTensorsError) in
            try copyFloats(name, into: buffer)
        }
        return result
    }

    /// Copies the F32/F16/BF16/F64 values of `name` into `destination` (count must equal the element count).
    /// - Throws: `.tensorNotFound`, `.notFloatingPoint`, or `.countMismatch` when the count differs.
    /// - Complexity: O(n), no allocation.
    public func copyFloats(_ name: String, into destination: UnsafeMutableBufferPointer<Float>) throws(SafeTensorsError) {
        guard let info = info(name) else { throw .tensorNotFound(file: source, tensor: name) }
        guard info.dtype.isFloatingPoint else {
            throw .notFloatingPoint(file: source, tensor: name, dtype: info.dtype)
        }
        let count = info.elementCount
        guard destination.count == count else {
            throw .countMismatch(tensor: name, expected: count, actual: destination.count)
        }
        guard count > 0, let out = destination.baseAddress else { return }
        let dtype = info.dtype
        try withRawBytes(name) { (raw) throws(SafeTensorsError) in
            // safe because the validated span holds exactly count × byteSize bytes; loads are unaligned-safe.
            switch dtype {
            case .f32:
                #if _endian(little)
                UnsafeMutableRawPointer(out).copyMemory(from: raw.baseAddress!, byteCount: count * 4)
                #else
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
                #endif
            case .f16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = HalfPrecision.float(fromFloat16Bits: bits)
                }
            case .bf16:
                for i in 0..<count {
                    let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                    out[i] = HalfPrecision.float(fromBFloat16Bits: bits)
                }
            case .f64:
                for i in 0..<count {
                    let bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))
                    out[i] = Float(Double(bitPattern: bits))
                }
            default:
                break  // unreachable: integer dtypes were rejected above
            }
        }
    }
}
