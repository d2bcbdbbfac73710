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
    public var initializerRange: Double
    /// Whether the LM head shares `wte.weight`. Lathe always ties (and writes `true`); an imported config
    /// saying `false` is accepted only when its `lm_head.weight` equals `wte.weight`.
    public var tieWordEmbeddings = true

    public init(
        vocabSize: Int, nPositions: Int, nEmbd: Int, nLayer: Int, nHead: Int, nInner: Int? = nil,
        layerNormEpsilon: Double = 1e-5, bosTokenID: Int? = nil, eosTokenID: Int? = nil,
        initializerRange: Double = 0.02
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
        self.initializerRange = initializerRange
    }

    /// The dropout probabilities of a GPT-2 `config.json`; an export writes each as 0.0.
    public static let dropoutKeys = ["attn_pdrop", "embd_pdrop", "resid_pdrop", "summary_first_dropout"]

    /// The MLP hidden width f (`n_inner`, default 4d).
    public var innerSize: Int { nInner ?? 4 * nEmbd }

    /// `config.json` text: HF GPT-2 fields, keys sorted, two-space indent (as `save_pretrained` writes).
    /// Every dropout probability (`attn_pdrop`, `embd_pdrop`, `resid_pdrop`, `summary_first_dropout`) is
    /// written as 0.0 whatever the imported config said: Lathe trains without dropout, so training the
    /// export in `transformers` continues as Lathe trained (``dropoutKeys``).
    public func jsonText() -> String {
        func optional(_ value: Int?) -> JSONValue { value.map(JSONValue.int) ?? .null }
        let fields: JSONValue = [
            "activation_function": "gelu_new", "architectures": ["GPT2LMHeadModel"],
            "attn_pdrop": .double(0), "bos_token_id": optional(bosTokenID), "embd_pdrop": .double(0),
            "eos_token_id": optional(eosTokenID), "initializer_range": .double(initializerRange),
            "layer_norm_epsilon": .double(layerNormEpsilon), "model_type": "gpt2", "n_ctx": .int(nPositions),
            "n_embd": .int(nEmbd), "n_head": .int(nHead), "n_inner": optional(nInner), "n_layer": .int(nLayer),
            "n_positions": .int(nPositions), "reorder_and_upcast_attn": false, "resid_pdrop": .double(0),
            "scale_attn_by_inverse_layer_idx": false, "scale_attn_weights": true, "summary_activation": .null,
            "summary_first_dropout": .double(0), "summary_proj_to_labels": true, "summary_type": "cls_index",
            "summary_use_proj": true, "tie_word_embeddings": true, "torch_dtype": "float32", "use_cache": true,
            "vocab_size": .int(vocabSize),
        ]
        return fields.rendered()
    }
}
