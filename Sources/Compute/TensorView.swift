/// A named region of an arena: offset and shape. Row-major.
public struct TensorView: Sendable, Hashable {
    public var offset: Int
    public var shape: [Int]
    public var count: Int { shape.reduce(1, *) }
    public init(offset: Int, shape: [Int]) { self.offset = offset; self.shape = shape }
}
