import Foundation
public import GGUF
import JSONText
public import Tokenization

/// A GGUF file's tokenizer (`tokenizer.ggml.*`) as a Lathe tokenizer, built the way transformers'
/// GGUF loader does it — by writing the equivalent `tokenizer.json` and reading that — except that the
/// pre-tokenizer follows llama.cpp's `tokenizer.ggml.pre` table (SmolLM2's `smollm` splits single digits
/// first; transformers drops that step).
extension BPETokenizer {
    /// - Throws: `ModelingError.tokenizerFile` naming the file and the field for a tokenizer model other
    ///   than byte-level BPE (`gpt2`) or an unknown `tokenizer.ggml.pre`; tokenizer errors otherwise.
    public init(gguf metadata: GGUFTokenizerMetadata, source: String) throws {
        try self.init(tokenizerJSON: try metadata.tokenizerJSON(source: source), source: source)
    }
}

extension GGUFTokenizerMetadata {
    /// llama.cpp's pre-tokenizer names → the tokenizer.json `pre_tokenizer` (byte-level BPE only).
    static func preTokenizer(_ name: String?, source: String) throws -> JSONValue {
        let byteLevel: JSONValue = ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true]
        func split(_ pattern: SplitPattern) -> JSONValue {
            ["type": "Sequence", "pretokenizers": [
                ["type": "Split", "pattern": ["Regex": .string(pattern.rawValue)], "behavior": "Isolated", "invert": false],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false],
            ]]
        }
        switch name {
        case nil, "default", "gpt2", "gpt-2": return byteLevel
        case "smollm": return ["type": "Sequence", "pretokenizers": [["type": "Digits", "individual_digits": true], byteLevel]]
        case "llama-bpe", "llama3": return split(.llama3)
        case "qwen2": return split(.qwen2)
        case let other?:
            throw ModelingError.tokenizerFile(path: source, problem: "tokenizer.ggml.pre '\(other)' is a pre-tokenizer Lathe does not "
                + "implement (it reads default, gpt2, smollm, llama-bpe and qwen2)")
        }
    }

    /// The `tokenizer.json` text for this metadata: vocabulary, merges, added tokens for control and
    /// user-defined tokens (types 3 and 4), the byte-level decoder. Written with JSONText's writer (not
    /// `Codable`: `pre_tokenizer` takes a different shape per llama.cpp name), keys sorted.
    func tokenizerJSON(source: String) throws -> Data {
        guard model == "gpt2" else {
            throw ModelingError.tokenizerFile(path: source, problem: "tokenizer.ggml.model '\(model)' is not byte-level BPE ('gpt2'); "
                + "Lathe reads SentencePiece-style tokenizers from tokenizer.json only, so convert the model to an HF folder")
        }
        var vocab = JSONObject()
        var added: [JSONValue] = []
        for (id, token) in tokens.enumerated() {
            if vocab[token] == nil { vocab[token] = .int(id) }
            let type = id < tokenTypes.count ? tokenTypes[id] : 1
            if type == 3 || type == 4 {
                added.append(["id": .int(id), "content": .string(token), "single_word": false, "lstrip": false, "rstrip": false,
                              "normalized": .bool(type == 4), "special": .bool(type == 3)])
            }
        }
        let json: JSONValue = [
            "version": "1.0", "truncation": .null, "padding": .null, "added_tokens": .array(added), "normalizer": .null,
            "pre_tokenizer": try Self.preTokenizer(preTokenizer, source: source), "post_processor": .null,
            "decoder": ["type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true],
            "model": ["type": "BPE", "dropout": .null, "unk_token": .null, "continuing_subword_prefix": .null,
                      "end_of_word_suffix": .null, "fuse_unk": false, "byte_fallback": false,
                      "ignore_merges": .bool(preTokenizer == "llama-bpe" || preTokenizer == "llama3"), "vocab": .object(vocab),
                      "merges": .array(merges.map(JSONValue.string))],
        ]
        return Data(json.compact().utf8)
    }
}

extension GGUFTokenizerMetadata {
    /// The `tokenizer.ggml.*` metadata of a byte-level BPE tokenizer, for writing a GGUF file that
    /// llama.cpp and transformers tokenize the same way: tokens as their byte-level strings, merges as
    /// "a b", added tokens as control (special) or user-defined types, the pre-tokenizer as llama.cpp names
    /// it, bos/eos, and a chat template when the caller has one.
    /// - Throws: `ModelingError.tokenizerFile` for a tokenizer GGUF cannot describe here (SentencePiece-style,
    ///   or a pre-tokenizer without a llama.cpp name).
    public init(tokenizer t: BPETokenizer, chatTemplate: String? = nil, source: String) throws {
        let steps = t.pipeline.preTokenizer
        let pre: String
        switch steps {
        case [.byteLevel(addPrefixSpace: false, useRegex: true)]: pre = "gpt2"
        case [.digits(individual: true), .byteLevel(addPrefixSpace: false, useRegex: true)]: pre = "smollm"
        case [.split(.llama3), .byteLevel(addPrefixSpace: false, useRegex: false)]: pre = "llama-bpe"
        case [.split(.qwen2), .byteLevel(addPrefixSpace: false, useRegex: false)]: pre = "qwen2"
        default:
            throw ModelingError.tokenizerFile(path: source, problem: "its pre-tokenizer has no llama.cpp name (Lathe writes GGUF "
                + "tokenizers for GPT-2, SmolLM2, Llama 3 and Qwen2 byte-level BPE)")
        }
        let added = Dictionary(t.addedTokens.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let tokens = (0..<t.vocabSize).map { id in added[id]?.content ?? ByteLevel.encode(t.tokenBytes[id]) }
        let types = (0..<t.vocabSize).map { id in added[id].map { $0.special ? 3 : 4 } ?? 1 }
        self.init(model: "gpt2", preTokenizer: pre, tokens: tokens, merges: t.merges.map { "\(tokens[$0.left]) \(tokens[$0.right])" },
                  tokenTypes: types, bosTokenId: t.bosTokenId, eosTokenId: t.eosTokenId, chatTemplate: chatTemplate)
    }
}
