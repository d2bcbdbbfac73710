/// The head layout of one attention layer: NH query heads and NKV key/value heads (NKV divides NH;
/// NKV < NH is grouped-query attention, Ainslie et al. 2023), each hd wide, packed in a qkv row as
/// [q₀ … q_{NH−1} | k₀ … k_{NKV−1} | v₀ … v_{NKV−1}].
public struct AttentionHeads: Sendable, Hashable {
    /// Query heads NH.
    public let count: Int
    /// Key/value heads NKV.
    public let kvCount: Int
    /// Width hd of one head.
    public let headDim: Int

    public init(count: Int, kvCount: Int, headDim: Int) {
        precondition(count > 0 && kvCount > 0 && count % kvCount == 0 && headDim > 0, "NKV must divide NH")
        self.count = count; self.kvCount = kvCount; self.headDim = headDim
    }

    /// GPT-2's layout: NH heads of C/NH for queries, keys and values alike.
    public init(c: Int, nh: Int) { self.init(count: nh, kvCount: nh, headDim: c / nh) }

    /// Query heads per key/value head.
    public var group: Int { count / kvCount }
    /// Floats in one qkv row: (NH + 2·NKV)·hd.
    public var qkvWidth: Int { (count + 2 * kvCount) * headDim }
    /// Floats in one output row: NH·hd.
    public var outputWidth: Int { count * headDim }
    /// Column of the key head query head `h` reads.
    @inline(__always) public func keyOffset(_ h: Int) -> Int { (count + h / group) * headDim }
    /// Column of the value head query head `h` reads.
    @inline(__always) public func valueOffset(_ h: Int) -> Int { (count + kvCount + h / group) * headDim }
}
