import Foundation
import JSONText
import Testing

@Suite struct JSONStringTests {
    @Test func plainTextIsQuotedWhole() {
        #expect(JSONString.quoted("model.safetensors") == "\"model.safetensors\"")
        #expect(JSONString.quoted("") == "\"\"")
    }

    /// The bytes serde_json writes (and so HF tokenizers and safetensors): short escapes where JSON has
    /// them, \u00xx in lower-case hex for the other control characters, no escaping of / or non-ASCII.
    @Test func escapesExactlyLikeSerdeJSON() {
        #expect(JSONString.quoted("a\"b\\c") == #""a\"b\\c""#)
        #expect(JSONString.quoted("\u{08}\u{0C}\n\r\t") == #""\b\f\n\r\t""#)
        #expect(JSONString.quoted("\u{00}\u{01}\u{1F}") == #""\u0000\u0001\u001f""#)
        #expect(JSONString.quoted("a/b ĠHello ü 日本 🙂") == "\"a/b ĠHello ü 日本 🙂\"")
        #expect(JSONString.quoted("\u{7F}") == "\"\u{7F}\"")
    }

    @Test func everyControlCharacterRoundTripsThroughJSONSerialization() throws {
        let text = String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }) + "ü🙂"
        let data = Data(("[" + JSONString.quoted(text) + "]").utf8)
        let parsed = try #require(try JSONSerialization.jsonObject(with: data) as? [String])
        #expect(parsed == [text])
    }
}
