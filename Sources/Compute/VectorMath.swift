/// Small SIMD helpers for the hand-written kernels. Swift does not reassociate float sums on its own,
/// so reductions use explicit SIMD lanes (the naive twins keep the strict left-to-right order).
public enum VectorMath {
    /// Σ a[i]·b[i] over `n` elements, 16 lanes at a time.
    @inlinable @inline(__always)
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 16 <= n {
            acc += ra.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                * rb.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        var s = acc.sum()
        while i < n { s += a[i] * b[i]; i += 1 }
        return s
    }

    /// Σ x[i] over `n` elements, 16 lanes at a time.
    @inlinable @inline(__always)
    public static func sum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        let rx = UnsafeRawPointer(x)
        while i + 16 <= n { acc += rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self); i += 16 }
        var s = acc.sum()
        while i < n { s += x[i]; i += 1 }
        return s
    }

    /// max x[i] over `n` elements, 16 lanes at a time (−∞ when n = 0; NaNs are skipped, as in a scalar
    /// `x > m` loop).
    @inlinable @inline(__always)
    public static func maximum(_ x: UnsafePointer<Float>, _ n: Int) -> Float {
        var acc = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        let rx = UnsafeRawPointer(x)
        while i + 16 <= n {
            let v = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            acc.replace(with: v, where: acc .< v)
            i += 16
        }
        var m = acc.max()
        while i < n { if x[i] > m { m = x[i] }; i += 1 }
        return m
    }

    /// x[i] *= factor over `n` elements.
    @inlinable @inline(__always)
    public static func scale(_ x: UnsafeMutablePointer<Float>, _ n: Int, by factor: Float) {
        var i = 0
        let rx = UnsafeMutableRawPointer(x)
        let f = SIMD16<Float>(repeating: factor)
        while i + 16 <= n {
            rx.storeBytes(of: rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * f, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { x[i] *= factor; i += 1 }
    }

    /// Σ (x[i] − mean)² over `n` elements, 16 lanes at a time (LayerNorm's variance).
    @inlinable @inline(__always)
    public static func sumOfSquaredDeviations(_ x: UnsafePointer<Float>, _ n: Int, from mean: Float) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        let rx = UnsafeRawPointer(x)
        let m = SIMD16<Float>(repeating: mean)
        while i + 16 <= n {
            let d = rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) - m
            acc += d * d
            i += 16
        }
        var s = acc.sum()
        while i < n { let d = x[i] - mean; s += d * d; i += 1 }
        return s
    }

    /// y[i] += alpha·x[i] over `n` elements.
    @inlinable @inline(__always)
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
        var i = 0
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let a = SIMD16<Float>(repeating: alpha)
        while i + 16 <= n {
            let v = ry.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                + a * rx.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            ry.storeBytes(of: v, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { y[i] += alpha * x[i]; i += 1 }
    }

    /// Σ x[i]² in Double (for gradient norms), fixed order.
    @inlinable
    public static func sumOfSquares(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
        var acc = SIMD8<Double>()
        var i = 0
        while i + 8 <= n {
            let v = SIMD8<Double>(SIMD8<Float>(UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)))
            acc += v * v
            i += 8
        }
        var s = acc.sum()
        while i < n { s += Double(x[i]) * Double(x[i]); i += 1 }
        return s
    }
}
