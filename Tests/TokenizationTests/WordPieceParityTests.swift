import Foundation
import TestSupport
import Testing
@testable import Tokenization

/// Lathe's WordPiece tokenizer against HF `tokenizers` (a Python subprocess) on all-MiniLM-L6-v2's
/// tokenizer.json and on small hand-made files: ids, type ids and decoded text must be equal. Needs
/// the real weights (scripts/fetch-models.sh) and `tokenizers`; fails, never skips, without them.
@Suite struct WordPieceParityTests {
    static let script = """
        import json, sys
        from tokenizers import Tokenizer
        tok = Tokenizer.from_file(sys.argv[1])
        tok.no_padding(); tok.no_truncation()
        cases = json.load(open(sys.argv[2], encoding="utf-8"))
        out = []
        for c in cases:
            e = tok.encode(c[0], c[1]) if c[1] is not None else tok.encode(c[0])
            out.append({"ids": e.ids, "typeIds": e.type_ids, "decoded": tok.decode(e.ids)})
        json.dump(out, sys.stdout)
        """

    struct Reference: Decodable {
        var ids: [Int]
        var typeIds: [Int]
        var decoded: String
    }

    /// HF's encodings of `cases` (text, optional pair) with the tokenizer.json at `url`.
    func huggingFace(_ url: URL, _ cases: [(String, String?)]) throws -> [Reference] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-wordpiece-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let scriptURL = dir.appendingPathComponent("parity.py"), casesURL = dir.appendingPathComponent("cases.json")
        try Data(Self.script.utf8).write(to: scriptURL)
        let json: [[String?]] = cases.map { [$0.0, $0.1] }
        try JSONEncoder().encode(json).write(to: casesURL)
        return try JSONDecoder().decode([Reference].self, from: Data(Python.run([scriptURL.path, url.path, casesURL.path]).utf8))
    }

    /// Texts that exercise every step: accents (composed and decomposed), CJK, Hangul and kana,
    /// punctuation of every category, control and format characters, odd whitespace, words past
    /// 100 characters, unknown characters, special tokens inside the text, emoji and contractions.
    static let corpus: [String] = [
        "Hello, world! This is a test.",
        "The café's crème brûlée was naïve — résumé of Zoë, São Paulo, Ångström, Øresund.",
        "Cafe\u{301} vs Café: e\u{301}\u{300} and ÉCOLE Ünïcödé",
        "中文分词测试：我爱北京天安门。日本語のテキスト、カタカナ。한국어 문장입니다.",
        "𠀀𪜀 CJK extension B and 丽 compatibility ideographs",
        "Punctuation: «quotes» „low“ ‘single’ (parens) [brackets] {braces} ¿qué? ¡sí! — – ‐ … · • ‰ ※ § ¶ @#$%^&*_+=|\\~`",
        "control\u{0}chars\u{1}\u{7}\u{1B}[0m tab\there new\nline cr\r\n zero\u{200B}width\u{200D}joiner soft\u{AD}hyphen bom\u{FEFF} rep\u{FFFD}lacement",
        "nbsp\u{A0}and\u{2003}em\u{3000}ideographic space\u{2028}line sep\u{85}next",
        String(repeating: "a", count: 101) + " " + String(repeating: "b", count: 100) + " " + String(repeating: "é", count: 100),
        "pneumonoultramicroscopicsilicovolcanoconiosis antidisestablishmentarianism supercalifragilisticexpialidocious",
        "Emoji 🙂👍🏽 👨‍👩‍👧 and symbols ∑∫√∞ ≠ ≤ → ★ ♥ ☃ ©®™ ½ ² ℃ Ⅻ ﬁ ﬀ",
        "I don't think it's what they've said; we're sure I'm right, isn't it? Yes . No , ok ! why ?",
        "[CLS] inside [SEP] text [MASK] and [PAD] [UNK] plus [cls] lowercased",
        "Ελληνικά ΣΟΦΊΑ σοφία, Русский текст, עברית, العربية, हिन्दी, ไทย, Tiếng Việt",
        "İstanbul ǅemal ß ẞ ﬃ Ǆ ΐ ŉ",
        "  leading and trailing spaces   ",
        "",
        "numbers 3.14159 1,000,000 2024-12-03 10:41 #hashtag @mention user_name e-mail@example.com https://x.org/a?b=c",
        "a\u{300}\u{301}\u{302}\u{303}\u{304}\u{305} combining pile-up \u{301} alone",
        "private\u{E000}use \u{F0000} and unassigned \u{378} \u{0890}\u{08E2}",
    ]

    static let pairs: [(String, String?)] = [
        ("How old are you?", "I'm 6 years old."),
        ("Der Bär läuft.", "中文"),
        ("", "only the second"),
        ("only the first", ""),
    ]

    @Test("all-MiniLM-L6-v2's tokenizer gives the ids, type ids and decoded text of HF tokenizers")
    func miniLMParity() throws {
        let url = try ModelCache.folder(ModelCache.allMiniLM).appendingPathComponent("tokenizer.json")
        let tok = try WordPieceTokenizer.load(contentsOf: url)
        #expect(tok.vocabSize == 30_522)
        #expect(tok.maxLength == 128)
        #expect((tok.clsId, tok.sepId, tok.maskId, tok.padId, tok.unkId) == (101, 102, 103, 0, 100))
        let cases = Self.corpus.map { ($0, String?.none) } + Self.pairs
        let hf = try huggingFace(url, cases)
        try #require(hf.count == cases.count)
        for ((text, pair), reference) in zip(cases, hf) {
            let e = tok.encode(text, pair: pair)
            #expect(e.ids == reference.ids, "\(text.prefix(60).debugDescription)")
            #expect(e.typeIds == reference.typeIds, "\(text.prefix(60).debugDescription)")
            #expect(tok.decode(e.ids) == reference.decoded, "\(text.prefix(60).debugDescription)")
        }
    }

    /// A small file with `strip_accents: false`, no lowercasing, no CJK handling, a `BertProcessing`
    /// post-processor, a short `max_input_chars_per_word` and a normalized added token.
    static let handMade = #"""
        {"version": "1.0", "truncation": null, "padding": null,
         "added_tokens": [{"id": 0, "content": "[PAD]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                          {"id": 1, "content": "[UNK]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                          {"id": 2, "content": "[CLS]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                          {"id": 3, "content": "[SEP]", "special": true, "normalized": false, "single_word": false, "lstrip": false, "rstrip": false},
                          {"id": 14, "content": "<Ent>", "special": false, "normalized": true, "single_word": false, "lstrip": false, "rstrip": false}],
         "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": false, "strip_accents": false, "lowercase": false},
         "pre_tokenizer": {"type": "BertPreTokenizer"},
         "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
         "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": false},
         "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##", "max_input_chars_per_word": 8,
                   "vocab": {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "un": 4, "##able": 5, "##ab": 6, "##le": 7,
                             "Café": 8, "e": 9, "##\u0301": 10, "中": 11, ",": 12, "!": 13, "<Ent>": 14}}}
        """#

    @Test("A hand-made WordPiece file (BertProcessing, accents kept, cased, short words) matches HF tokenizers")
    func handMadeParity() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-wp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("tokenizer.json")
        try Data(Self.handMade.utf8).write(to: url)
        let tok = try WordPieceTokenizer.load(contentsOf: url)
        let cases: [(String, String?)] = [
            ("unable unab unable!", nil), ("Café cafe Cafe\u{301} e\u{301}", nil), ("中中 unableunable x", nil),
            ("<Ent>unable <Ent>, [CLS]", "unable\u{0} !"), ("unableable", "中"),
        ]
        let hf = try huggingFace(url, cases)
        try #require(hf.count == cases.count)
        for ((text, pair), reference) in zip(cases, hf) {
            let e = tok.encode(text, pair: pair)
            #expect(e.ids == reference.ids, "\(text.debugDescription)")
            #expect(e.typeIds == reference.typeIds, "\(text.debugDescription)")
            #expect(tok.decode(e.ids) == reference.decoded, "\(text.debugDescription)")
        }
    }

    @Test("Bad WordPiece files are errors naming the file and the field")
    func badFiles() throws {
        func error(_ json: String) -> String {
            do {
                _ = try WordPieceTokenizer(tokenizerJSON: Data(json.utf8), source: "bad/tokenizer.json")
                return "no error"
            } catch { return "\(error)" }
        }
        let base = Self.handMade
        #expect(error(base.replacingOccurrences(of: #""unk_token": "[UNK]""#, with: #""unk_token": "[NOPE]""#))
            .contains("bad/tokenizer.json: field 'model.unk_token'"))
        #expect(error(base.replacingOccurrences(of: "\"##le\": 7", with: "\"##le\": 70")).contains("model.vocab"))
        #expect(error(base.replacingOccurrences(of: #""type": "BertPreTokenizer""#, with: #""type": "Whitespace""#))
            .contains("pre_tokenizer 'Whitespace'"))
        #expect(error(base.replacingOccurrences(of: #""type": "BertNormalizer""#, with: #""type": "NFC""#)).contains("normalizer type 'NFC'"))
        #expect(error(base.replacingOccurrences(of: #""cls": ["[CLS]", 2]"#, with: #""cls": ["[CLS]", 99]"#)).contains("post_processor.cls"))
        #expect(error(base.replacingOccurrences(of: #""max_input_chars_per_word": 8"#, with: #""max_input_chars_per_word": 0"#))
            .contains("max_input_chars_per_word"))
        #expect(error(#"{"model": {"type": "BPE", "vocab": {}, "merges": []}}"#).contains("model type 'BPE'"))
        #expect(error("{\"model\": ").contains("not valid JSON"))
    }
}
