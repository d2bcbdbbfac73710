/// One owned, 64-byte aligned, zero-initialised `Float` allocation that tensors view into
/// (llm.c's `malloc_and_point_parameters`). Views are (offset, count) pairs; pointers are lent out by
/// `pointer(at:)` and must not outlive the arena.
public final class Arena: @unchecked Sendable {
    /// Number of `Float` elements.
    public let count: Int
    /// Base address. Safe to hand to kernels while `self` is alive (callers keep the arena referenced).
    public let base: UnsafeMutablePointer<Float>

    /// Allocates `count` zeroed floats.
    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
        base = raw.assumingMemoryBound(to: Float.self)
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// Pointer to element `offset` (precondition: inside the arena).
    @inlinable
    public func pointer(at offset: Int) -> UnsafeMutablePointer<Float> {
        precondition(offset >= 0 && offset <= count, "arena offset \(offset) outside 0...\(count)")
        return base + offset
    }

    /// A buffer view of `count` elements starting at `offset`.
    public func buffer(offset: Int, count n: Int) -> UnsafeMutableBufferPointer<Float> {
        precondition(offset >= 0 && n >= 0 && offset + n <= count, "arena view \(offset)+\(n) outside \(count)")
        return UnsafeMutableBufferPointer(start: base + offset, count: n)
    }

    /// Sets every element to zero.
    public func zero() { base.update(repeating: 0, count: count) }

    /// Copies the whole contents out (for tests and checkpoints).
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }
}
