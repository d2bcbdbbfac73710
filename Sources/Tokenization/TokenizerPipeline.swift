/// Everything around the BPE merges that a tokenizer.json describes: normalizers, pre-tokenizers,
/// the BPE model's options, the decoder and the post-processor's template.
///
/// ``gpt2`` is the pipeline of every tokenizer Lathe trains (and of GPT-2 itself); a tokenizer with
/// it takes the original fast path. Others (SmolLM2's `Digits` + `ByteLevel`, Llama 3's and Qwen2's
/// `Split`, SentencePiece-style BPE of Llama 2 / Mistral / TinyLlama) are read from tokenizer.json
/// by ``BPETokenizer/init(tokenizerJSON:source:)``.
public struct TokenizerPipeline: Hashable, Sendable {
    /// Run on each stretch of text between added tokens.
    public var normalizers: [Normalizer]
    /// Run after the normalizers; the flattened `pre_tokenizer` tree.
    public var preTokenizer: [PreTokenizerStep]
    /// BPE `byte_fallback`: a character not in the vocabulary becomes its `<0xHH>` byte tokens.
    public var byteFallback: Bool
    /// BPE `unk_token`: what a character that is neither in the vocabulary nor byte-fallback becomes.
    public var unkToken: String?
    /// BPE `fuse_unk`: consecutive unknown characters become one `unk_token`.
    public var fuseUnk: Bool
    public var decoder: TokenDecoder
    /// The post-processor's single-sequence template (`<s> $A` for Llama 2), or nil.
    public var template: PostTemplate?

    public init(
        normalizers: [Normalizer] = [], preTokenizer: [PreTokenizerStep], byteFallback: Bool = false, unkToken: String? = nil,
        fuseUnk: Bool = false, decoder: TokenDecoder, template: PostTemplate? = nil
    ) {
        self.normalizers = normalizers
        self.preTokenizer = preTokenizer
        self.byteFallback = byteFallback
        self.unkToken = unkToken
        self.fuseUnk = fuseUnk
        self.decoder = decoder
        self.template = template
    }

    /// GPT-2's pipeline: no normalizer, `ByteLevel(add_prefix_space: false, use_regex: true)`, the
    /// ByteLevel decoder, no template.
    public static let gpt2 = TokenizerPipeline(preTokenizer: [.byteLevel(addPrefixSpace: false, useRegex: true)], decoder: .byteLevel)

    /// True when the model works on bytes (a `ByteLevel` pre-tokenizer): vocabulary entries are
    /// GPT-2 byte-level strings. Otherwise it works on characters (SentencePiece style).
    public var byteLevel: Bool {
        preTokenizer.contains { if case .byteLevel = $0 { return true }; return false }
    }
}

/// A `TemplateProcessing` post-processor's single-sequence template: ids before and after the text.
public struct PostTemplate: Hashable, Sendable {
    /// Ids put before the text (`[1]`, `<s>`, for Llama 2; `<|begin_of_text|>` for Llama 3).
    public var prefix: [Int]
    /// Ids put after the text (usually none).
    public var suffix: [Int]

    public init(prefix: [Int], suffix: [Int]) {
        self.prefix = prefix
        self.suffix = suffix
    }
}
