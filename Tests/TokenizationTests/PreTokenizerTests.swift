import Testing
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
        var rng = SplitMix(seed: 7)
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
}

/// SplitMix64: a tiny seeded generator so random tests reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
