/// The tokenizer a GGUF file carries (`tokenizer.ggml.*` and `tokenizer.chat_template`), typed, for
/// building a Lathe tokenizer. Arrays are index-aligned with `tokens` (token id = index).
public struct GGUFTokenizerMetadata: Sendable, Hashable {
    /// `tokenizer.ggml.model`: `gpt2` (byte-level BPE), `llama` (SentencePiece), …
    public var model: String
    /// `tokenizer.ggml.pre`: llama.cpp's pre-tokenizer name (`smollm`, `llama-bpe`, `qwen2`, …), if any.
    public var preTokenizer: String?
    /// `tokenizer.ggml.tokens`: the vocabulary, id order.
    public var tokens: [String]
    /// `tokenizer.ggml.merges`: BPE merges `"a b"`, rank order (empty for SentencePiece models).
    public var merges: [String]
    /// `tokenizer.ggml.token_type`: 1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte.
    public var tokenTypes: [Int]
    /// `tokenizer.ggml.scores`: SentencePiece scores (empty when absent).
    public var scores: [Float]
    public var bosTokenId: Int?
    public var eosTokenId: Int?
    public var padTokenId: Int?
    public var unknownTokenId: Int?
    /// `tokenizer.ggml.add_bos_token` / `add_eos_token`, when present.
    public var addBOS: Bool?
    public var addEOS: Bool?
    /// `tokenizer.chat_template` (Jinja), if any.
    public var chatTemplate: String?

    public init(model: String, preTokenizer: String? = nil, tokens: [String], merges: [String] = [], tokenTypes: [Int] = [],
                scores: [Float] = [], bosTokenId: Int? = nil, eosTokenId: Int? = nil, padTokenId: Int? = nil,
                unknownTokenId: Int? = nil, addBOS: Bool? = nil, addEOS: Bool? = nil, chatTemplate: String? = nil) {
        self.model = model; self.preTokenizer = preTokenizer; self.tokens = tokens; self.merges = merges
        self.tokenTypes = tokenTypes; self.scores = scores; self.bosTokenId = bosTokenId; self.eosTokenId = eosTokenId
        self.padTokenId = padTokenId; self.unknownTokenId = unknownTokenId; self.addBOS = addBOS; self.addEOS = addEOS
        self.chatTemplate = chatTemplate
    }

    /// The GGUF metadata entries for this tokenizer (what `GGUFWriter` writes).
    public var metadata: [(String, GGUFValue)] {
        var out: [(String, GGUFValue)] = [("tokenizer.ggml.model", .string(model))]
        if let preTokenizer { out.append(("tokenizer.ggml.pre", .string(preTokenizer))) }
        out.append(("tokenizer.ggml.tokens", .array(elementType: .string, values: tokens.map { .string($0) })))
        if !scores.isEmpty { out.append(("tokenizer.ggml.scores", .array(elementType: .float32, values: scores.map { .float32($0) }))) }
        if !tokenTypes.isEmpty {
            out.append(("tokenizer.ggml.token_type", .array(elementType: .int32, values: tokenTypes.map { .int32(Int32(clamping: $0)) })))
        }
        if !merges.isEmpty { out.append(("tokenizer.ggml.merges", .array(elementType: .string, values: merges.map { .string($0) }))) }
        for (key, id) in [("bos", bosTokenId), ("eos", eosTokenId), ("unknown", unknownTokenId), ("padding", padTokenId)] {
            if let id { out.append(("tokenizer.ggml.\(key)_token_id", .uint32(UInt32(clamping: id)))) }
        }
        if let addBOS { out.append(("tokenizer.ggml.add_bos_token", .bool(addBOS))) }
        if let addEOS { out.append(("tokenizer.ggml.add_eos_token", .bool(addEOS))) }
        if let chatTemplate { out.append(("tokenizer.chat_template", .string(chatTemplate))) }
        return out
    }
}

extension GGUFFile {
    /// The tokenizer metadata, checked for types and for ids inside the vocabulary; nil when the file
    /// has no `tokenizer.ggml.model`.
    public func tokenizer() throws(GGUFError) -> GGUFTokenizerMetadata? {
        guard metadata["tokenizer.ggml.model"] != nil else { return nil }
        let tokens = try strings("tokenizer.ggml.tokens")
        func id(_ key: String) throws(GGUFError) -> Int? {
            guard let v = try optional(key, { (f) throws(GGUFError) in try f.int(key) }) else { return nil }
            guard v >= 0, v < tokens.count else {
                throw .wrongMetadataType(file: name, key: key, expected: "a token id below \(tokens.count)", found: "\(v)")
            }
            return v
        }
        let types = try optional("tokenizer.ggml.token_type") { (f) throws(GGUFError) in try f.ints("tokenizer.ggml.token_type") } ?? []
        let scores = try optional("tokenizer.ggml.scores") { (f) throws(GGUFError) in try f.floatArray("tokenizer.ggml.scores") } ?? []
        for (key, count) in [("tokenizer.ggml.token_type", types.count), ("tokenizer.ggml.scores", scores.count)] where count != 0 && count != tokens.count {
            throw .wrongMetadataType(file: name, key: key, expected: "\(tokens.count) entries (one per token)", found: "\(count) entries")
        }
        return GGUFTokenizerMetadata(
            model: try string("tokenizer.ggml.model"),
            preTokenizer: try optional("tokenizer.ggml.pre") { (f) throws(GGUFError) in try f.string("tokenizer.ggml.pre") },
            tokens: tokens,
            merges: try optional("tokenizer.ggml.merges") { (f) throws(GGUFError) in try f.strings("tokenizer.ggml.merges") } ?? [],
            tokenTypes: types, scores: scores,
            bosTokenId: try id("tokenizer.ggml.bos_token_id"), eosTokenId: try id("tokenizer.ggml.eos_token_id"),
            padTokenId: try id("tokenizer.ggml.padding_token_id"), unknownTokenId: try id("tokenizer.ggml.unknown_token_id"),
            addBOS: try optional("tokenizer.ggml.add_bos_token") { (f) throws(GGUFError) in try f.bool("tokenizer.ggml.add_bos_token") },
            addEOS: try optional("tokenizer.ggml.add_eos_token") { (f) throws(GGUFError) in try f.bool("tokenizer.ggml.add_eos_token") },
            chatTemplate: try optional("tokenizer.chat_template") { (f) throws(GGUFError) in try f.string("tokenizer.chat_template") })
    }
}
