import JSONText

/// The `config.json` of a Hugging Face GPT-2 model (`GPT2Config`), restricted to what Lathe's engine runs:
/// pre-LayerNorm blocks, `gelu_new`, scaled causal attention, tied LM head (recipes.md §4c).
public struct HFGPT2Config: Sendable, Equatable {
    public var vocabSize: Int
    /// Learned positions (`n_positions`, also written as `n_ctx`).
    public var nPositions: Int
    public var nEmbd: Int
    public var nLayer: Int
    public var nHead: Int
    /// MLP width; nil means `4 × nEmbd` (written as `null`, like HF).
    public var nInner: Int?
    public var layerNormEpsilon: Double
    /// Special token ids; nil is written as `null` (GPT-2 itself uses 50256, its `<|endoftext|>`).
    public var bosTokenID: Int?
    public var eosTokenID: Int?
    /// Dropout probabilities recorded for HF training; Lathe's inference ignores them.
    public var residPdrop: Double
    public var embdPdrop: Double
    public var attnPdrop: Double
    public var initializerRange: Double
    /// Whether the LM head shares `wte.weight`. Lathe always ties (and writes `true`); an imported config
    /// saying `false` is accepted only when its `lm_head.weight` equals `wte.weight`.
    public var tieWordEmbeddings = true

    public init(
        vocabSize: Int, nPositions: Int, nEmbd: Int, nLayer: Int, nHead: Int, nInner: Int? = nil,
        layerNormEpsilon: Double = 1e-5, bosTokenID: Int? = nil, eosTokenID: Int? = nil,
        residPdrop: Double = 0.1, embdPdrop: Double = 0.1, attnPdrop: Double = 0.1, initializerRange: Double = 0.02
    ) {
        self.vocabSize = vocabSize
        self.nPositions = nPositions
        self.nEmbd = nEmbd
        self.nLayer = nLayer
        self.nHead = nHead
        self.nInner = nInner
        self.layerNormEpsilon = layerNormEpsilon
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.residPdrop = residPdrop
        self.embdPdrop = embdPdrop
        self.attnPdrop = attnPdrop
        self.initializerRange = initializerRange
    }

    /// The MLP hidden width f (`n_inner`, default 4d).
    public var innerSize: Int { nInner ?? 4 * nEmbd }

    /// `config.json` text: HF GPT-2 fields, keys sorted, two-space indent (as `save_pretrained` writes).
    public func jsonText() -> String {
        func optional(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
        let fields: JSONValue = [
            "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"],
            "attn_pdrop": .double(attnPdrop), "bos_token_id": optional(bosTokenID), "embd_pdrop": .double(embdPdrop),
            "eos_token_id": optional(eosTokenID), "initializer_range": .double(initializerRange),
            "layer_norm_epsilon": .double(layerNormEpsilon), "model_type": "gpt2", "n_ctx": .int(nPositions),
            "n_embd": .int(nEmbd), "n_head": .int(nHead), "n_inner": optional(nInner), "n_layer": .int(nLayer),
            "n_positions": .int(nPositions), "reorder_and_upcast_attn": false, "resid_pdrop": .double(residPdrop),
            "scale_attn_by_inverse_layer_idx": false, "scale_attn_weights": true, "summary_activation": .null,
            "summary_first_dropout": .double(0.1), "summary_proj_to_labels": true, "summary_type": "cls_index",
            "summary_use_proj": true, "tie_word_embeddings": true, "torch_dtype": "float32", "use_cache": true,
            "vocab_size": .int(vocabSize),
        ]
        return fields.rendered()
    }
}
