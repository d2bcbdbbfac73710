/// Shape of a GPT-2-family model. Property names are Swift-cased; the Codable keys are exactly HF
/// GPT-2's `config.json` field names (`vocab_size`, `n_positions`, `n_embd`, `n_layer`, `n_head`,
/// `layer_norm_epsilon`, `initializer_range`, `bos_token_id`, `eos_token_id`), so a decoded HF config
/// round-trips (unknown HF keys are ignored when decoding).
public struct GPTConfig: Sendable, Hashable, Codable {
    /// Token table rows (`vocab_size`).
    public var vocabSize: Int
    /// Longest sequence, rows of the position table (`n_positions`).
    public var nPositions: Int
    /// Model width C (`n_embd`).
    public var nEmbd: Int
    /// Number of transformer blocks (`n_layer`).
    public var nLayer: Int
    /// Attention heads; must divide `nEmbd` (`n_head`).
    public var nHead: Int
    /// LayerNorm epsilon (`layer_norm_epsilon`, GPT-2: 1e-5).
    public var layerNormEpsilon: Float
    /// Std of the normal initialisation (`initializer_range`, GPT-2: 0.02).
    public var initializerRange: Float
    /// Beginning-of-text token id (`bos_token_id`), if any.
    public var bosTokenId: Int?
    /// End-of-text token id (`eos_token_id`), if any; generation stops there.
    public var eosTokenId: Int?

    public init(
        vocabSize: Int, nPositions: Int, nEmbd: Int, nLayer: Int, nHead: Int,
        layerNormEpsilon: Float = 1e-5, initializerRange: Float = 0.02, bosTokenId: Int? = nil, eosTokenId: Int? = nil
    ) {
        self.vocabSize = vocabSize; self.nPositions = nPositions; self.nEmbd = nEmbd; self.nLayer = nLayer
        self.nHead = nHead; self.layerNormEpsilon = layerNormEpsilon; self.initializerRange = initializerRange
        self.bosTokenId = bosTokenId; self.eosTokenId = eosTokenId
    }

    enum CodingKeys: String, CodingKey {
        case vocabSize = "vocab_size", nPositions = "n_positions", nEmbd = "n_embd", nLayer = "n_layer"
        case nHead = "n_head", layerNormEpsilon = "layer_norm_epsilon", initializerRange = "initializer_range"
        case bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        nPositions = try c.decode(Int.self, forKey: .nPositions)
        nEmbd = try c.decode(Int.self, forKey: .nEmbd)
        nLayer = try c.decode(Int.self, forKey: .nLayer)
        nHead = try c.decode(Int.self, forKey: .nHead)
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-5
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? 0.02
        bosTokenId = try c.decodeIfPresent(Int.self, forKey: .bosTokenId)
        eosTokenId = try c.decodeIfPresent(Int.self, forKey: .eosTokenId)
    }

    /// Head width C / NH.
    public var headDim: Int { nEmbd / nHead }

    /// Throws a `ModelingError.invalidConfig` naming the first field that is out of range.
    public func validate() throws(ModelingError) {
        func fail(_ s: String) throws(ModelingError) { throw ModelingError.invalidConfig(s) }
        if vocabSize < 1 { try fail("vocab_size must be at least 1, got \(vocabSize)") }
        if nPositions < 1 { try fail("n_positions must be at least 1, got \(nPositions)") }
        if nEmbd < 1 || nLayer < 1 || nHead < 1 { try fail("n_embd, n_layer and n_head must be at least 1") }
        if nEmbd % nHead != 0 { try fail("n_embd (\(nEmbd)) must be a multiple of n_head (\(nHead))") }
        for (name, value, limit) in [("vocab_size", vocabSize, Self.maxVocabSize), ("n_positions", nPositions, Self.maxPositions),
                                     ("n_embd", nEmbd, Self.maxEmbedding), ("n_layer", nLayer, Self.maxLayers), ("n_head", nHead, Self.maxHeads)]
        where value > limit {
            try fail("\(name) \(value) exceeds Lathe's limit of \(limit) (a damaged or hostile config?)")
        }
        if let e = eosTokenId, e < 0 || e >= vocabSize { try fail("eos_token_id \(e) is outside the vocabulary (\(vocabSize))") }
        if !(layerNormEpsilon > 0) { try fail("layer_norm_epsilon must be positive") }
    }

    /// Shape limits (the recipe loader's `ModelLimits` are the same): far above any model a CPU engine
    /// trains (GPT-2 XL: 50,257 tokens, 1,024 positions, 1,600 wide, 48 blocks, 25 heads), so an absurd
    /// config.json is refused before anything is allocated for it.
    public static let maxVocabSize = 1 << 24
    public static let maxPositions = 1 << 20
    public static let maxEmbedding = 1 << 16
    public static let maxLayers = 1_024
    public static let maxHeads = 1_024
}
