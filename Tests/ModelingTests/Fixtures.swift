import Modeling

/// Tiny shapes that run in milliseconds in a debug build.
enum Fixtures {
    /// V 13, ctx 8, C 8, 2 layers, 2 heads.
    static let tiny = GPTConfig(vocabSize: 13, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 2)

    /// A Qwen2-shaped Llama-family decoder: V 13, ctx 8, C 8, 2 layers, 4 query heads of 4 sharing 2
    /// key/value heads, SwiGLU 12, q/k/v biases, untied head.
    static let tinyLlama = GPTConfig(
        family: .llama, modelType: "qwen2", vocabSize: 13, nPositions: 8, nEmbd: 8, nLayer: 2, nHead: 4, nKVHead: 2, headDim: 4,
        intermediateSize: 12, layerNormEpsilon: 1e-5, qkvBias: true, tiedEmbeddings: false)

    /// A batch with two packed documents in row 0, a loss mask hole, and a second plain row.
    static func packedBatch() -> TokenBatch {
        var b = TokenBatch(batchSize: 2, sequenceLength: 6)
        b.tokens = [1, 5, 7, 2, 9, 4, 3, 3, 8, 12, 0, 6]
        b.positions = [0, 1, 2, 0, 1, 2, 0, 1, 2, 3, 4, 5]
        b.segments = [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]
        b.targets = [5, 7, -1, 9, 4, 11, 3, 8, 12, 0, 6, 1]
        let mask: [Float] = [1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1]
        let n = mask.reduce(0, +)
        b.weights = mask.map { $0 / n }
        return b
    }

    /// A repeating sequence a small model can memorise.
    static func corpus(length: Int, vocab: Int) -> [Int32] {
        (0..<length).map { Int32(($0 * 7 + $0 / 5) % vocab) }
    }
}
