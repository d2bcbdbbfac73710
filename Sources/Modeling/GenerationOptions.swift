/// How `generate` picks tokens.
public struct GenerationOptions: Sendable, Hashable {
    /// Most new tokens to produce (generation also stops when the context is full).
    public var maxNewTokens: Int
    /// Softmax temperature; 0 means greedy (argmax).
    public var temperature: Float
    /// Keep only the k most likely tokens (nil: all).
    public var topK: Int?
    /// Keep the smallest set of most likely tokens whose probability reaches p (nil: all).
    public var topP: Float?
    /// Stop after producing any of these (typically the EOS id); the stop token is included in the output.
    public var stopTokens: [Int32]
    /// Seeds sampling.
    public var seed: UInt64

    public init(maxNewTokens: Int, temperature: Float = 0, topK: Int? = nil, topP: Float? = nil, stopTokens: [Int32] = [], seed: UInt64 = 0) {
        self.maxNewTokens = maxNewTokens; self.temperature = temperature; self.topK = topK; self.topP = topP
        self.stopTokens = stopTokens; self.seed = seed
    }
}
