import Testing
@testable import Tokenization

@Suite struct ByteLevelTests {
    @Test("maps bytes to GPT-2's printable characters", arguments: [
        (UInt8(0x00), "Ā"), (0x0A, "Ċ"), (0x20, "Ġ"), (0x21, "!"), (0x7E, "~"), (0x7F, "ġ"), (0xA0, "ł"), (0xAD, "Ń"), (0xFF, "ÿ"),
    ])
    func knownCharacters(byte: UInt8, expected: String) {
        #expect(ByteLevel.encode([byte]) == expected)
        #expect(ByteLevel.decode(expected) == [byte])
    }

    @Test("numbers the base tokens in GPT-2's order")
    func gpt2BaseOrder() {
        // GPT-2's vocab.json: "!" is 0, "a" is 64, "Ġ" (space) is 220, "Ċ" (newline) is 198.
        #expect(ByteLevel.baseId[0x21] == 0)
        #expect(ByteLevel.baseId[0x61] == 64)
        #expect(ByteLevel.baseId[0x20] == 220)
        #expect(ByteLevel.baseId[0x0A] == 198)
        #expect(Set(ByteLevel.baseId).count == 256)
    }

    @Test("decode falls back to UTF-8 for characters outside the table")
    func decodeFallback() {
        #expect(ByteLevel.decode("<|endoftext|>") == Array("<|endoftext|>".utf8))
        // "é" (U+00E9) is itself a table character, standing for the single byte 0xE9.
        #expect(ByteLevel.decode("Ġé") == [0x20, 0xE9])
        #expect(ByteLevel.decode("€") == Array("€".utf8))
    }
}
