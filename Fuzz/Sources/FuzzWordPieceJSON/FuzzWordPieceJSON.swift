import FuzzSupport
import Foundation
import Tokenization

/// A small WordPiece tokenizer.json: BERT's specials, a few words and `##` pieces (accented,
/// decomposed, CJK), a normalized added token, and the given normalizer and post-processor.
func wordPieceJSON(normalizer: String, postProcessor: String, maxChars: Int) -> String {
    let vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##able", "##ab", "##le", "a", "##a", "café", "e", "##\u{301}",
                 "中", "日", ",", ".", "!", "'", "s", "##s", "<ent>"]
    let entries = vocab.enumerated().map { "\"\(escape($1))\": \($0)" }.joined(separator: ", ")
    let added = [("[PAD]", 0, true), ("[UNK]", 1, true), ("[CLS]", 2, true), ("[SEP]", 3, true), ("[MASK]", 4, true), ("<ent>", 22, false)]
        .map { #"{"id": \#($1), "content": "\#($0)", "special": \#($2), "normalized": \#(!$2), "single_word": false, "lstrip": false, "rstrip": false}"# }
        .joined(separator: ", ")
    return #"""
        {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [\#(added)], "normalizer": \#(normalizer),
         "pre_tokenizer": {"type": "BertPreTokenizer"}, "post_processor": \#(postProcessor),
         "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": \#(maxChars),
                   "vocab": {\#(entries)}}}
        """#
}

func escape(_ s: String) -> String {
    s.unicodeScalars.map { $0.value < 0x20 || $0.value >= 0x7F || $0 == "\"" || $0 == "\\" ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
}

let template = #"{"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}], "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}, {"SpecialToken": {"id": "[SEP]", "type_id": 1}}], "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]}, "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}}}"#

/// BERT uncased (lowercase, accents stripped by the `null` rule, CJK split) and a cased variant with
/// accents kept, no CJK handling, `BertProcessing` and a short word limit.
let tokenizers: [WordPieceTokenizer] = [
    wordPieceJSON(
        normalizer: #"{"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": null, "lowercase": true}"#,
        postProcessor: template, maxChars: 100),
    wordPieceJSON(
        normalizer: #"{"type": "BertNormalizer", "clean_text": false, "handle_chinese_chars": false, "strip_accents": false, "lowercase": false}"#,
        postProcessor: #"{"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]}"#, maxChars: 6),
].map { try! WordPieceTokenizer(tokenizerJSON: Data($0.utf8), source: "fuzz/wordpiece.json") }

/// libFuzzer entry: bytes as a WordPiece `tokenizer.json` (one that loads must encode a pair and
/// decode without trapping), and as text (split in two at the first 0x00 for a pair) with each tokenizer.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzzWordPieceJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = fuzzBytes(data, size)
    if let tokenizer = try? WordPieceTokenizer(tokenizerJSON: Data(bytes), source: "fuzz/tokenizer.json") {
        let e = tokenizer.encode("Hello, wörld! [CLS] 123 中文 🙂 e\u{301}\r\n\u{0}  x" + String(repeating: "z", count: 120), pair: "b [MASK]")
        _ = tokenizer.decode(e.ids, skipSpecialTokens: false)
        _ = tokenizer.decode(e.ids)
        _ = (tokenizer.clsId, tokenizer.sepId, tokenizer.maskId, tokenizer.padId, tokenizer.template.addedCount(pair: true))
    }
    let cut = bytes.firstIndex(of: 0)
    let first = String(decoding: bytes[..<(cut ?? bytes.count)], as: UTF8.self)
    let second = cut.map { String(decoding: bytes[($0 + 1)...], as: UTF8.self) }
    for tokenizer in tokenizers {
        let e = tokenizer.encode(first, pair: second)
        precondition(e.ids.count == e.typeIds.count && e.ids.allSatisfy { $0 >= 0 && $0 < tokenizer.vocabSize })
        _ = tokenizer.decode(e.ids, skipSpecialTokens: false)
    }
    return 0
}

@main enum Main {
    static func main() { runLibFuzzer(fuzzWordPieceJSON) }
}
