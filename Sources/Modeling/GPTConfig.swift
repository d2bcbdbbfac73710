public import Compute

/// Shape of a decoder-only model. Property names are Swift-cased; the Codable keys are HF GPT-2's
/// `config.json` field names for the fields GPT-2 has (`vocab_size`, `n_positions`, `n_embd`, …), so
/// checkpoints of GPT-2 models read as before; the Llama-family fields have their HF Llama names.
public struct GPTConfig: Sendable, Hashable, Codable {
    /// Which block layout (and HF name table) the model uses.
    public var family: DecoderFamily
    /// HF `model_type` written on export (`gpt2`, `llama`, `qwen2`, `mistral`).
    public var modelType: String
    /// Token table rows (`vocab_size`).
    public var vocabSize: Int
    /// Longest sequence: rows of the position table (`n_positions`), or `max_position_embeddings`.
    public var nPositions: Int
    /// Model width C (`n_embd` / `hidden_size`).
    public var nEmbd: Int
    /// Number of transformer blocks (`n_layer` / `num_hidden_layers`).
    public var nLayer: Int
    /// Query heads NH (`n_head` / `num_attention_heads`).
    public var nHead: Int
    /// Key/value heads NKV (`num_key_value_heads`; NH for GPT-2); must divide NH.
    public var nKVHead: Int
    /// Width hd of one head (`head_dim`; C / NH unless given).
    public var headDim: Int
    /// MLP hidden width f (`n_inner` / `intermediate_size`; GPT-2: 4·C).
    public var intermediateSize: Int
    /// LayerNorm / RMSNorm epsilon (`layer_norm_epsilon` / `rms_norm_eps`).
    public var layerNormEpsilon: Float
    /// Std of the normal initialisation (`initializer_range`, 0.02).
    public var initializerRange: Float
    /// Beginning-of-text token id (`bos_token_id`), if any.
    public var bosTokenId: Int?
    /// End-of-text token id (`eos_token_id`), if any; generation stops there.
    public var eosTokenId: Int?
    /// Rotary base θ (`rope_theta`; Llama family only).
    public var ropeTheta: Double
    /// `rope_scaling` (Llama family only).
    public var ropeScaling: Rotary.Scaling
    /// q/k/v projections carry biases (GPT-2 and Qwen2: yes; Llama `attention_bias`).
    public var qkvBias: Bool
    /// The attention output projection carries a bias (GPT-2: yes; Llama `attention_bias`; Qwen2: no).
    public var outputBias: Bool
    /// The MLP projections carry biases (GPT-2: yes; Llama `mlp_bias`).
    public var mlpBias: Bool
    /// The LM head is the token embedding (`tie_word_embeddings`); otherwise `lm_head.weight` is its own tensor.
    public var tiedEmbeddings: Bool
    /// Rows of the token-type (segment) table (`type_vocab_size`; BERT: 2, decoders: 0).
    public var typeVocabSize: Int = 0
    /// BERT: the model carries BertForMaskedLM's `cls.predictions` head (transform dense + GELU +
    /// LayerNorm, decoder tied to the word embeddings, plus a bias) instead of the pooler.
    public var maskedLMHead: Bool = false
    /// Sequence classification: the LM head is replaced by `score.weight` (num_labels, C), no bias, read
    /// at the sequence's pooled position (see ``SequencePooling``), as transformers'
    /// `GPT2ForSequenceClassification` / `LlamaForSequenceClassification`. nil: a language model.
    public var numLabels: Int?

    /// Columns of the head's output: `num_labels` for a classifier, else the vocabulary.
    public var outputWidth: Int { numLabels ?? vocabSize }

    /// How a classifier of this family pools a sequence into one vector.
    public var pooling: SequencePooling { family == .bert ? .firstToken : .lastToken }

    /// Whether the family has BERT's pooler (dense + tanh over each row's first position): encoders
    /// without the masked-LM head.
    public var hasPooler: Bool { family == .bert && !maskedLMHead }

    /// A GPT-2 configuration (MLP 4·C, NH key/value heads, every bias, tied head).
    public init(
        vocabSize: Int, nPositions: Int, nEmbd: Int, nLayer: Int, nHead: Int,
        layerNormEpsilon: Float = 1e-5, initializerRange: Float = 0.02, bosTokenId: Int? = nil, eosTokenId: Int? = nil
    ) {
        self.init(family: .gpt2, modelType: "gpt2", vocabSize: vocabSize, nPositions: nPositions, nEmbd: nEmbd,
                  nLayer: nLayer, nHead: nHead, nKVHead: nHead, headDim: nHead > 0 ? nEmbd / nHead : 0,
                  intermediateSize: 4 * nEmbd, layerNormEpsilon: layerNormEpsilon, initializerRange: initializerRange,
                  bosTokenId: bosTokenId, eosTokenId: eosTokenId, ropeTheta: 10_000, ropeScaling: .none,
                  qkvBias: true, outputBias: true, mlpBias: true, tiedEmbeddings: true)
    }

    /// Any decoder; `headDim` nil means C / NH.
    public init(
        family: DecoderFamily, modelType: String, vocabSize: Int, nPositions: Int, nEmbd: Int, nLayer: Int, nHead: Int,
        nKVHead: Int, headDim: Int?, intermediateSize: Int, layerNormEpsilon: Float, initializerRange: Float = 0.02,
        bosTokenId: Int? = nil, eosTokenId: Int? = nil, ropeTheta: Double = 10_000, ropeScaling: Rotary.Scaling = .none,
        qkvBias: Bool = false, outputBias: Bool = false, mlpBias: Bool = false, tiedEmbeddings: Bool = true
    ) {
        self.family = family; self.modelType = modelType
        self.vocabSize = vocabSize; self.nPositions = nPositions; self.nEmbd = nEmbd; self.nLayer = nLayer
        self.nHead = nHead; self.nKVHead = nKVHead; self.headDim = headDim ?? (nHead > 0 ? nEmbd / nHead : 0)
        self.intermediateSize = intermediateSize
        self.layerNormEpsilon = layerNormEpsilon; self.initializerRange = initializerRange
        self.bosTokenId = bosTokenId; self.eosTokenId = eosTokenId
        self.ropeTheta = ropeTheta; self.ropeScaling = ropeScaling
        self.qkvBias = qkvBias; self.outputBias = outputBias; self.mlpBias = mlpBias; self.tiedEmbeddings = tiedEmbeddings
    }

    enum CodingKeys: String, CodingKey {
        case family, modelType = "model_type"
        case vocabSize = "vocab_size", nPositions = "n_positions", nEmbd = "n_embd", nLayer = "n_layer"
        case nHead = "n_head", layerNormEpsilon = "layer_norm_epsilon", initializerRange = "initializer_range"
        case bosTokenId = "bos_token_id", eosTokenId = "eos_token_id"
        case nKVHead = "num_key_value_heads", headDim = "head_dim", intermediateSize = "intermediate_size"
        case ropeTheta = "rope_theta", ropeScaling = "rope_scaling", qkvBias = "qkv_bias", outputBias = "output_bias"
        case mlpBias = "mlp_bias", tiedEmbeddings = "tie_word_embeddings", typeVocabSize = "type_vocab_size"
        case maskedLMHead = "masked_lm_head", numLabels = "num_labels"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let family = try c.decodeIfPresent(DecoderFamily.self, forKey: .family) ?? .gpt2
        let gpt2 = family == .gpt2
        self.family = family
        modelType = try c.decodeIfPresent(String.self, forKey: .modelType) ?? family.rawValue
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        nPositions = try c.decode(Int.self, forKey: .nPositions)
        nEmbd = try c.decode(Int.self, forKey: .nEmbd)
        nLayer = try c.decode(Int.self, forKey: .nLayer)
        nHead = try c.decode(Int.self, forKey: .nHead)
        nKVHead = try c.decodeIfPresent(Int.self, forKey: .nKVHead) ?? nHead
        headDim = try c.decodeIfPresent(Int.self, forKey: .headDim) ?? (nHead > 0 ? nEmbd / nHead : 0)
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize) ?? 4 * nEmbd
        layerNormEpsilon = try c.decodeIfPresent(Float.self, forKey: .layerNormEpsilon) ?? 1e-5
        initializerRange = try c.decodeIfPresent(Float.self, forKey: .initializerRange) ?? 0.02
        bosTokenId = try c.decodeIfPresent(Int.self, forKey: .bosTokenId)
        eosTokenId = try c.decodeIfPresent(Int.self, forKey: .eosTokenId)
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta) ?? 10_000
        ropeScaling = try c.decodeIfPresent(Rotary.Scaling.self, forKey: .ropeScaling) ?? .none
        qkvBias = try c.decodeIfPresent(Bool.self, forKey: .qkvBias) ?? gpt2
        outputBias = try c.decodeIfPresent(Bool.self, forKey: .outputBias) ?? gpt2
        mlpBias = try c.decodeIfPresent(Bool.self, forKey: .mlpBias) ?? gpt2
        tiedEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tiedEmbeddings) ?? true
        typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize) ?? 0
        maskedLMHead = try c.decodeIfPresent(Bool.self, forKey: .maskedLMHead) ?? false
        numLabels = try c.decodeIfPresent(Int.self, forKey: .numLabels)
    }

    /// The synthesized encoding, plus `type_vocab_size` only for encoders (decoder checkpoints keep
    /// the bytes they had before encoders existed).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(family, forKey: .family); try c.encode(modelType, forKey: .modelType)
        try c.encode(vocabSize, forKey: .vocabSize); try c.encode(nPositions, forKey: .nPositions)
        try c.encode(nEmbd, forKey: .nEmbd); try c.encode(nLayer, forKey: .nLayer); try c.encode(nHead, forKey: .nHead)
        try c.encode(nKVHead, forKey: .nKVHead); try c.encode(headDim, forKey: .headDim)
        try c.encode(intermediateSize, forKey: .intermediateSize); try c.encode(layerNormEpsilon, forKey: .layerNormEpsilon)
        try c.encode(initializerRange, forKey: .initializerRange)
        try c.encodeIfPresent(bosTokenId, forKey: .bosTokenId); try c.encodeIfPresent(eosTokenId, forKey: .eosTokenId)
        try c.encode(ropeTheta, forKey: .ropeTheta); try c.encode(ropeScaling, forKey: .ropeScaling)
        try c.encode(qkvBias, forKey: .qkvBias); try c.encode(outputBias, forKey: .outputBias); try c.encode(mlpBias, forKey: .mlpBias)
        try c.encode(tiedEmbeddings, forKey: .tiedEmbeddings)
        try c.encodeIfPresent(numLabels, forKey: .numLabels)
        if family == .bert { try c.encode(typeVocabSize, forKey: .typeVocabSize); try c.encode(maskedLMHead, forKey: .maskedLMHead) }
    }

    /// The block layout this configuration selects.
    public var block: BlockSpec { BlockSpec(family: family) }

    /// The attention head layout (NH, NKV, hd).
    public var heads: AttentionHeads { AttentionHeads(count: nHead, kvCount: nKVHead, headDim: headDim) }

    /// Throws a `ModelingError.invalidConfig` naming the first field that is out of range.
    public func validate() throws(ModelingError) {
        func fail(_ s: String) throws(ModelingError) { throw ModelingError.invalidConfig(s) }
        let names = family == .gpt2
            ? (embd: "n_embd", heads: "n_head", kv: "n_head", inner: "n_inner", layers: "n_layer", positions: "n_positions")
            : (embd: "hidden_size", heads: "num_attention_heads", kv: "num_key_value_heads", inner: "intermediate_size",
               layers: "num_hidden_layers", positions: "max_position_embeddings")
        if vocabSize < 1 { try fail("vocab_size must be at least 1, got \(vocabSize)") }
        if nPositions < 1 { try fail("\(names.positions) must be at least 1, got \(nPositions)") }
        if nEmbd < 1 || nLayer < 1 || nHead < 1 { try fail("\(names.embd), \(names.layers) and \(names.heads) must be at least 1") }
        if nKVHead < 1 || nHead % nKVHead != 0 {
            try fail("\(names.kv) (\(nKVHead)) must divide \(names.heads) (\(nHead))")
        }
        if family == .gpt2, nEmbd % nHead != 0 { try fail("n_embd (\(nEmbd)) must be a multiple of n_head (\(nHead))") }
        if headDim < 1 || (family == .llama && headDim % 2 != 0) {
            try fail("head_dim (\(headDim)) must be \(family == .llama ? "even (rotary embeddings pair its halves)" : "at least 1")")
        }
        if intermediateSize < 1 { try fail("\(names.inner) must be at least 1, got \(intermediateSize)") }
        for (name, value, limit) in [("vocab_size", vocabSize, Self.maxVocabSize), (names.positions, nPositions, Self.maxPositions),
                                     (names.embd, nEmbd, Self.maxEmbedding), (names.layers, nLayer, Self.maxLayers),
                                     (names.heads, nHead, Self.maxHeads), ("head_dim", headDim, Self.maxEmbedding),
                                     (names.inner, intermediateSize, 8 * Self.maxEmbedding)]
        where value > limit {
            try fail("\(name) \(value) exceeds Lathe's limit of \(limit) (a damaged or hostile config?)")
        }
        if let e = eosTokenId, e < 0 || e >= vocabSize { try fail("eos_token_id \(e) is outside the vocabulary (\(vocabSize))") }
        if !(layerNormEpsilon > 0) { try fail("\(family == .gpt2 ? "layer_norm_epsilon" : "rms_norm_eps") must be positive") }
        if family == .llama, !(ropeTheta > 0) { try fail("rope_theta must be positive, got \(ropeTheta)") }
        if let labels = numLabels, labels < 2 || labels > Self.maxLabels {
            try fail("num_labels must be between 2 and \(Self.maxLabels), got \(labels)")
        }
        if family == .gpt2, !(qkvBias && outputBias && mlpBias && tiedEmbeddings) {
            try fail("GPT-2 blocks always have biases and a tied head")
        }
        if family == .bert {
            if !(qkvBias && outputBias && mlpBias) { try fail("BERT blocks always have biases") }
            if typeVocabSize < 1 || typeVocabSize > 1_024 { try fail("type_vocab_size must be in 1...1024, got \(typeVocabSize)") }
            if nKVHead != nHead { try fail("BERT attention has as many key/value heads as query heads") }
        }
    }

    /// Shape limits (the recipe loader's `ModelLimits` are the same): far above any model a CPU engine
    /// trains (GPT-2 XL: 50,257 tokens, 1,024 positions, 1,600 wide, 48 blocks, 25 heads), so an absurd
    /// config.json is refused before anything is allocated for it.
    public static let maxVocabSize = 1 << 24
    public static let maxPositions = 1 << 20
    public static let maxEmbedding = 1 << 16
    public static let maxLayers = 1_024
    public static let maxHeads = 1_024
    public static let maxLabels = 1 << 16
}
