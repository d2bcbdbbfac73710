import FuzzSupport
import Foundation
import Tokenization

/// A small tokenizer.json with the given pipeline parts: `<unk> <s> </s>`, the 256 `<0xHH>` byte
/// tokens, a few characters (plain and GPT-2 byte-level) and merges, and added tokens with every flag.
func pipelineJSON(normalizer: String, preTokenizer: String, decoder: String, postProcessor: String, byteFallback: Bool) -> String {
    var vocab = ["<unk>", "<s>", "</s>"] + (0..<256).map { "<0x" + String(format: "%02X", $0) + ">" }
    vocab += ["a", "b", "ab", "▁", "▁a", "▁ab", "Ġ", "Ġa", "1", "2", "12", "é", "Ã", "©", "Ã©", "\u{FEFF}", "e\u{301}", "x"]
    let entries = vocab.enumerated().map { "\"\(escape($1))\": \($0)" }.joined(separator: ", ")
    let merges = #"[["a", "b"], ["▁", "a"], ["▁a", "b"], ["Ġ", "a"], ["1", "2"], ["Ã", "©"]]"#
    let added = [("<unk>", 0, true, ""), ("<s>", 1, true, ""), ("</s>", 2, true, ""),
                 ("[[x]]", vocab.count, false, #""single_word": true, "lstrip": true, "rstrip": true, "normalized": true, "#)]
        .map { #"{"id": \#($1), "content": "\#($0)", \#($3.isEmpty ? #""normalized": false, "# : $3)"special": \#($2)}"# }
        .joined(separator: ", ")
    return #"""
        {"version": "1.0", "added_tokens": [\#(added)], "normalizer": \#(normalizer), "pre_tokenizer": \#(preTokenizer),
         "post_processor": \#(postProcessor), "decoder": \#(decoder),
         "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": \#(byteFallback),
                   "ignore_merges": true, "vocab": {\#(entries)}, "merges": \#(merges)}}
        """#
}

func escape(_ s: String) -> String {
    s.unicodeScalars.map { $0.value < 0x20 || $0 == "\"" || $0 == "\\" ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
}

let byteLevel = #"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": false}"#
let template = #"{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}"#
let llamaDecoder = #"{"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}"#

func split(_ pattern: SplitPattern) -> String {
    #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "\#(escape(pattern.rawValue))"}, "behavior": "Isolated", "invert": false}, \#(byteLevel)]}"#
}

/// One tokenizer per pipeline Lathe reads; every fuzz input is also encoded as text with each.
let pipelines: [BPETokenizer] = [
    // Llama 2 / Mistral / TinyLlama: Prepend + Replace, byte fallback, <s> template.
    pipelineJSON(
        normalizer: #"{"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}"#,
        preTokenizer: "null", decoder: llamaDecoder, postProcessor: template, byteFallback: true),
    // Metaspace (prepend_scheme first, split) without byte fallback: unknown characters become <unk>.
    pipelineJSON(
        normalizer: "null", preTokenizer: #"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true}"#,
        decoder: #"{"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first"}"#, postProcessor: "null", byteFallback: false),
    // SmolLM2: Digits + ByteLevel (GPT-2 regex, prefix space), most bytes missing from the vocabulary.
    pipelineJSON(
        normalizer: "null",
        preTokenizer: #"{"type": "Sequence", "pretokenizers": [{"type": "Digits", "individual_digits": true}, {"type": "ByteLevel", "add_prefix_space": true, "use_regex": true}]}"#,
        decoder: #"{"type": "ByteLevel"}"#, postProcessor: #"{"type": "ByteLevel"}"#, byteFallback: true),
    // Llama 3 and Qwen2 (with NFC) Split scanners.
    pipelineJSON(normalizer: "null", preTokenizer: split(.llama3), decoder: #"{"type": "ByteLevel"}"#, postProcessor: template, byteFallback: false),
    pipelineJSON(normalizer: #"{"type": "NFC"}"#, preTokenizer: split(.qwen2), decoder: #"{"type": "ByteLevel"}"#, postProcessor: "null", byteFallback: false),
].map { try! BPETokenizer(tokenizerJSON: Data($0.utf8), source: "fuzz/pipeline.json") }

/// libFuzzer entry: bytes as a `tokenizer.json` (a tokenizer that loads must encode and decode
/// fixed texts without trapping), and as text encoded and decoded with the pipeline its first byte picks.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzTokenizerJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let tokenizer = try? BPETokenizer(tokenizerJSON: Data(bytes), source: "fuzz/tokenizer.json") {
        let ids = tokenizer.encode("Hello, wörld! <|endoftext|> 123 <s>日本語 🙂 e\u{301}\r\n  x", allowAddedTokens: true, addSpecialTokens: true)
        _ = tokenizer.decode(ids)
        _ = tokenizer.decode(tokenizer.encode(bytes: [0xFF, 0x41, 0xC3, 0x20, 0x31, 0x32], allowAddedTokens: true))
        _ = (tokenizer.bosTokenId, tokenizer.eosTokenId, tokenizer.tokenizerJSON().count)
    }
    // One pipeline per input, chosen by its first byte: encoding every input with all five made each
    // execution five 4 KiB encodes (about 100 exec/s under ASan); coverage guidance still reaches each.
    if let first = bytes.first {
        let tokenizer = pipelines[Int(first) % pipelines.count]
        let ids = tokenizer.encode(bytes: bytes, allowAddedTokens: true, addSpecialTokens: true)
        _ = tokenizer.decode(ids, skipSpecialTokens: true)
        _ = tokenizer.decodeText(ids)
    }
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzTokenizerJSON) }
}
