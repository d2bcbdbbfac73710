import Testing
import TestSupport
@testable import Tokenization

@Suite struct PreTokenizerTests {
    @Test("splits exactly like HF's ByteLevel pre-tokenizer on the fixture strings")
    func matchesHFFixtures() {
        for c in PreTokenizerFixtures.cases {
            let pieces = PreTokenizer.split(c.text).map { ByteLevel.encode($0) }
            #expect(pieces == c.pieces, "text: \(c.text.debugDescription)")
        }
    }

    @Test("pieces tile arbitrary bytes, including invalid UTF-8")
    func tilesArbitraryBytes() {
        var rng = SplitMixGenerator(seed: 7)
        for _ in 0..<200 {
            let bytes = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let pieces = PreTokenizer.split(bytes: bytes)
            #expect(pieces.flatMap { $0 } == bytes)
            #expect(!pieces.contains { $0.isEmpty })
        }
    }

    @Test("an invalid byte is its own 'other' character")
    func invalidBytesAreOther() {
        // 0xFF can never appear in UTF-8; a lone continuation byte 0x80 neither.
        #expect(PreTokenizer.split(bytes: [0x61, 0xFF, 0x80, 0x20, 0x62]) == [[0x61], [0xFF, 0x80], [0x20, 0x62]])
        // A truncated 3-byte sequence: lead byte alone is 'other', then the letter run.
        #expect(PreTokenizer.split(bytes: [0xE6, 0x97, 0x61]) == [[0xE6, 0x97], [0x61]])
    }

    @Test("every ASCII byte's class is the one Unicode's properties give its scalar")
    func asciiClassesFollowUnicode() {
        for b in UInt8(0)..<0x80 {
            let scalar = Unicode.Scalar(b)
            let expected: PreTokenizer.CharClass = scalar.properties.isWhitespace ? .whitespace
                : scalar.properties.isAlphabetic ? .letter
                : scalar.properties.numericType == .decimal ? .number : .other
            #expect(PreTokenizer.asciiClass(b) == expected, "byte \(b)")
            #expect(PreTokenizer.scalarClass(scalar) == expected, "byte \(b)")
        }
    }
}
