import Foundation
import Testing
import Tokenization

@Suite struct TokenizerFileSummaryTests {
    @Test("A tokenizer.json's id count is its largest id + 1 over the vocabulary and the added tokens")
    func countsTheLargestId() {
        let text = #"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 150}}, "added_tokens": [{"id": 151, "content": "<|e|>"}]}"#
        #expect(TokenizerFileSummary.idCount(json: Array(text.utf8)) == 152)
        #expect(TokenizerFileSummary.idCount(json: Array(#"{"model": {"vocab": {"a": 7}}}"#.utf8)) == 8)
        #expect(TokenizerFileSummary.idCount(json: Array(#"{"model": {"vocab": {}}}"#.utf8)) == 0)
    }

    @Test("A Unigram vocabulary, a missing model and broken JSON have no count")
    func otherShapesHaveNone() {
        for text in [#"{"model": {"type": "Unigram", "vocab": [["a", -1.0]]}}"#, #"{"added_tokens": []}"#, #"{"model": "#, "[]"] {
            #expect(TokenizerFileSummary.idCount(json: Array(text.utf8)) == nil, "\(text)")
        }
    }
}

/// tokenizer.json is read by JSONText's parser: every vocabulary key exactly as written.
@Suite struct TokenizerJSONExactKeysTests {
    @Test("Canonically equal tokens and a leading U+FEFF keep their own ids and bytes")
    func canonicallyEqualTokensStayApart() throws {
        let text = "{\"model\": {\"type\": \"BPE\", \"vocab\": {\"\u{E9}\": 0, \"e\u{301}\": 1, \"\u{FEFF}x\": 2}, "
            + "\"merges\": []}}"
        let tok = try BPETokenizer(tokenizerJSON: Data(text.utf8))
        #expect(tok.vocabSize == 3)
        #expect(Array(tok.tokenString(0).utf8) == [0xC3, 0xA9])
        #expect(Array(tok.tokenString(1).utf8) == [0x65, 0xCC, 0x81])
        #expect(Array(tok.tokenString(2).utf8) == [0xEF, 0xBB, 0xBF, 0x78])
    }

    @Test("A repeated vocabulary key is refused with the line it is on")
    func repeatedKeyIsRefused() {
        let text = "{\"model\": {\"type\": \"BPE\",\n \"vocab\": {\"a\": 0,\n \"a\": 1}, \"merges\": []}}"
        #expect { try BPETokenizer(tokenizerJSON: Data(text.utf8), source: "t.json") } throws: { error in
            guard case let .malformedJSON(path, line, reason)? = error as? TokenizationError else { return false }
            return path == "t.json" && line == 3 && reason.contains("duplicate key 'a'")
        }
    }
}
