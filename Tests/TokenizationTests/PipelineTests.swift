import Foundation
import Testing
@testable import Tokenization

/// The pieces of the non-GPT-2 pipelines on small inputs whose expected values come from HF
/// `tokenizers` 0.23 (the parity suite checks the same on megabytes).
@Suite struct PipelineTests {
    /// A hand-made SentencePiece-style tokenizer.json (Llama 2 layout): `<unk> <s> </s>`, two byte
    /// tokens, a few merges, Prepend + Replace, the `<s> $A` template and Llama 2's decoder.
    static let sentencePieceJSON = #"""
{"version": "1.0", "truncation": null, "padding": null, "added_tokens": [{"id": 0, "content": "<unk>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}, {"id": 1, "content": "<s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}, {"id": 2, "content": "</s>", "single_word": false, "lstrip": false, "rstrip": false, "normalized": false, "special": true}], "normalizer": {"type": "Sequence", "normalizers": [{"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}, "pre_tokenizer": null, "post_processor": {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}], "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}], "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}}, "decoder": {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}, "model": {"type": "BPE", "dropout": null, "unk_token": "<unk>", "continuing_subword_prefix": null, "end_of_word_suffix": null, "fuse_unk": true, "byte_fallback": false, "ignore_merges": false, "vocab": {"<unk>": 0, "<s>": 1, "</s>": 2, "▁": 3, "a": 4, "b": 5, "▁a": 6, "ab": 7, "▁ab": 8, "<0xC3>": 9, "<0xA9>": 10}, "merges": [["▁", "a"], ["a", "b"], ["▁a", "b"]]}}
"""#

    static func sentencePiece(fuseUnk: Bool = true, byteFallback: Bool = false) throws -> BPETokenizer {
        let json = sentencePieceJSON
            .replacingOccurrences(of: "\"fuse_unk\": true", with: "\"fuse_unk\": \(fuseUnk)")
            .replacingOccurrences(of: "\"byte_fallback\": false", with: "\"byte_fallback\": \(byteFallback)")
        return try BPETokenizer(tokenizerJSON: Data(json.utf8), source: "sp/tokenizer.json")
    }

    @Test("unknown characters become <unk> (fused or not), or their <0xHH> tokens with byte_fallback", arguments: [
        (true, false, [8, 3, 0, 5, 3, 0, 8]), (false, false, [8, 3, 0, 0, 5, 3, 0, 0, 8]),
        (true, true, [8, 3, 0, 5, 3, 9, 10, 0, 8]), (false, true, [8, 3, 0, 0, 5, 3, 9, 10, 0, 8]),
    ])
    func unknownCharacters(fuseUnk: Bool, byteFallback: Bool, expected: [Int]) throws {
        let tok = try Self.sentencePiece(fuseUnk: fuseUnk, byteFallback: byteFallback)
        #expect(tok.encode("ab 😀😀b é😀 ab", allowAddedTokens: true) == expected)
        #expect(tok.encode("ab 😀😀b é😀 ab", allowAddedTokens: true, addSpecialTokens: true) == [1] + expected)
    }

    @Test("added tokens split the text before the normalizer, which prepends ▁ to every stretch")
    func addedTokensBeforeNormalizer() throws {
        let tok = try Self.sentencePiece()
        #expect(tok.encode("<s>ab</s> ab", allowAddedTokens: true) == [1, 8, 2, 3, 8])
        #expect(tok.decodeText([1, 8, 2, 3, 8]) == "<s> ab</s>  ab")
        #expect(tok.decodeText([1, 8, 2, 3, 8], skipSpecialTokens: true) == "ab  ab")
        #expect(tok.decodeText([3, 9, 10, 8]) == "é ab")
    }

    @Test("bos and eos come from the template and the added tokens; a GPT-2 tokenizer has no bos")
    func bosAndEos() throws {
        let tok = try Self.sentencePiece()
        #expect(tok.bosTokenId == 1)
        #expect(tok.eosTokenId == 2)
        #expect(tok.pipeline.template == PostTemplate(prefix: [1], suffix: []))
        let gpt2 = try BPETrainer(vocabSize: 300).train([Array("hello hello world".utf8)])
        #expect(gpt2.bosTokenId == nil)
        #expect(gpt2.eosTokenId == gpt2.addedTokenId("<|endoftext|>"))
        #expect(gpt2.pipeline == .gpt2)
    }

    @Test("Llama 3's Split scanner matches HF's regex on its corner cases")
    func llama3Split() {
        let cases: [(String, [String])] = [
            ("'ſ x", ["'ſ", " x"]), ("'S'LL'Re", ["'S", "'LL", "'Re"]), ("'SS", ["'S", "S"]), ("'ſt", ["'ſ", "t"]),
            ("  \n  x", ["  \n", " ", " x"]), (" \r\n\r\n  ", [" \r\n\r\n", "  "]), ("a\u{a0}b", ["a", "\u{a0}b"]),
            ("x\u{85}y", ["x", "\u{85}y"]), ("12345 678", ["123", "45", " ", "678"]), ("a!!\n\nb", ["a", "!!\n\n", "b"]),
            (" ?x", [" ?", "x"]), ("\tword", ["\tword"]),
        ]
        for (text, expected) in cases {
            #expect(Self.split(.llama3, text) == expected, "\(text.debugDescription)")
        }
        #expect(Self.split(.qwen2, "12345 678") == ["1", "2", "3", "4", "5", " ", "6", "7", "8"])
    }

    @Test("Digits splits numbers out, per digit or per run")
    func digits() {
        var pre = PreTokenization()
        let text = Array("ab12３4½c 7".utf8)
        for (individual, expected) in [(false, ["ab", "12３4½", "c ", "7"]), (true, ["ab", "1", "2", "３", "4", "½", "c ", "7"])] {
            text.withUnsafeBufferPointer { pre.run([.digits(individual: individual)], on: $0, atTextStart: true) }
            #expect(Self.pieces(pre) == expected)
        }
    }

    @Test("Metaspace replaces spaces, prepends per scheme and splits before each ▁")
    func metaspace() {
        var pre = PreTokenization()
        let text = Array(" Hello  world ".utf8)
        text.withUnsafeBufferPointer { pre.run([.metaspace(replacement: "▁", prependScheme: .first, split: true)], on: $0, atTextStart: true) }
        #expect(Self.pieces(pre) == ["▁Hello", "▁", "▁world", "▁"])
        let hello = Array("Hello world".utf8)
        hello.withUnsafeBufferPointer { pre.run([.metaspace(replacement: "▁", prependScheme: .first, split: false)], on: $0, atTextStart: false) }
        #expect(Self.pieces(pre) == ["Hello▁world"])
        hello.withUnsafeBufferPointer { pre.run([.metaspace(replacement: "▁", prependScheme: .always, split: false)], on: $0, atTextStart: false) }
        #expect(Self.pieces(pre) == ["▁Hello▁world"])
    }

    @Test("ByteLevel's add_prefix_space adds a space to every piece the steps before it made")
    func byteLevelPrefixSpace() {
        var pre = PreTokenization()
        let text = Array("a1b c".utf8)
        text.withUnsafeBufferPointer {
            pre.run([.digits(individual: true), .byteLevel(addPrefixSpace: true, useRegex: true)], on: $0, atTextStart: true)
        }
        #expect(Self.pieces(pre) == [" a", " 1", " b", " c"])
    }

    @Test("decoders: Metaspace drops every ▁ of the first token; ByteLevel keeps a token with a character outside its table")
    func decoders() {
        let metaspace = TokenDecoder([.metaspace(replacement: "▁", prependScheme: .first)])
        #expect(metaspace.decode(token: "▁▁Hello", first: true) == Array("Hello".utf8))
        #expect(metaspace.decode(token: "▁x", first: false) == Array(" x".utf8))
        #expect(TokenDecoder.byteLevel.decode(token: "Ġ▁x", first: false) == Array("Ġ▁x".utf8))
        #expect(TokenDecoder.byteLevel.decode(token: "Ġa", first: false) == Array(" a".utf8))
    }

    static func split(_ pattern: SplitPattern, _ text: String) -> [String] {
        var out: [String] = []
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { p in
            pattern.split(p, 0, p.count) { out.append(String(decoding: p[$0..<$1], as: UTF8.self)) }
        }
        return out
    }

    static func pieces(_ pre: PreTokenization) -> [String] {
        stride(from: 0, to: pre.ranges.count, by: 2).map { String(decoding: pre.buffer[pre.ranges[$0]..<pre.ranges[$0 + 1]], as: UTF8.self) }
    }
}
