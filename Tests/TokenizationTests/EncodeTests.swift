import Testing
import TestSupport
@testable import Tokenization

@Suite struct EncodeTests {
    /// Base id of an ASCII character.
    func id(_ c: Character) -> Int { Int(ByteLevel.baseId[Int(c.asciiValue!)]) }

    /// A hand-built tokenizer: merges `t h`, `th e`, `Ġ the`, `Ġ t`; no added tokens.
    func handBuilt() throws -> BPETokenizer {
        var tokens = ByteLevel.baseOrder.map { [$0] }
        tokens += [Array("th".utf8), Array("the".utf8), Array(" the".utf8), Array(" t".utf8)]
        let merges = [
            BPEMerge(id("t"), id("h")), BPEMerge(256, id("e")),
            BPEMerge(Int(ByteLevel.baseId[0x20]), 257), BPEMerge(Int(ByteLevel.baseId[0x20]), id("t")),
        ]
        return try BPETokenizer(tokenBytes: tokens, merges: merges)
    }

    @Test("known answer: merges apply by rank inside each pre-token")
    func handBuiltKnownAnswer() throws {
        let tok = try handBuilt()
        // "the" → th,e → the; " the" → rank 2 (Ġ,the) beats rank 3 (Ġ,t) only after th/the exist.
        #expect(tok.encode("the the") == [257, 258])
        // " tea": Ġ t e a → (Ġ,t) is the only applicable merge.
        #expect(tok.encode(" tea") == [259, id("e"), id("a")])
        #expect(tok.encode("thethe") == [257, 257])
        #expect(tok.encode("") == [])
    }

    @Test("known answer: the Wikipedia BPE example aaabdaaabac")
    func wikipediaExample() throws {
        let tok = try BPETrainer(vocabSize: 259, minFrequency: 1, specialTokens: []).train([Array("aaabdaaabac".utf8)])
        // aa → 256; tie (aa,a)/(a,b) at count 2 goes to the smaller left bytes "a" → ab = 257; aa ab → 258.
        #expect(tok.merges == [BPEMerge(id("a"), id("a")), BPEMerge(id("a"), id("b")), BPEMerge(256, 257)])
        #expect(tok.encode("aaabdaaabac") == [258, id("d"), 258, id("a"), id("c")])
    }

    @Test("decode(encode(x)) == x for random bytes and random Unicode")
    func roundTripProperty() throws {
        let tok = try BPETrainer(vocabSize: 600).train([Array(TestCorpus.prose.utf8), Array(TestCorpus.sources.prefix(20_000).utf8)])
        var rng = SplitMixGenerator(seed: 42)
        let alphabet: [Unicode.Scalar] = Array("aé日🙂 \n\t'sS1½!\u{00A0}\u{3000}".unicodeScalars)
        for _ in 0..<300 {
            let n = Int(rng.next() % 40)
            let bytes = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(tok.decode(tok.encode(bytes: bytes)) == bytes)
            var s = String.UnicodeScalarView()
            for _ in 0..<n {
                if rng.next() % 4 == 0, let u = Unicode.Scalar(UInt32(rng.next() % 0x2FFFF)) { s.append(u) }
                else { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            }
            let text = String(s)
            #expect(tok.decodeText(tok.encode(text)) == text)
        }
        for probe in TestCorpus.probes { #expect(tok.decodeText(tok.encode(probe)) == probe) }
    }

    @Test("invalid UTF-8 is tokenized bytewise and decodes back exactly")
    func invalidUTF8Bytewise() throws {
        let tok = try BPETrainer(vocabSize: 300).train([Array(TestCorpus.prose.utf8)])
        let bytes: [UInt8] = Array("ok ".utf8) + [0xFF, 0xFE, 0xC3] + Array(" done".utf8)
        let ids = tok.encode(bytes: bytes)
        #expect(tok.decode(ids) == bytes)
        #expect(ids.contains(Int(ByteLevel.baseId[0xFF])))
        // Lossy text decoding replaces, never crashes.
        #expect(tok.decodeText(ids).contains("\u{FFFD}"))
    }

    @Test("added tokens are matched only when allowed, and can be skipped when decoding")
    func addedTokens() throws {
        let tok = try BPETrainer(vocabSize: 300).train([Array(TestCorpus.prose.utf8)])
        let eot = try #require(tok.endOfTextId)
        #expect(eot == 299)
        let text = "a<|endoftext|>b"
        #expect(tok.encode(text, allowAddedTokens: true) == [id("a"), eot, id("b")])
        #expect(!tok.encode(text).contains(eot))
        #expect(tok.decodeText([id("a"), eot], skipSpecialTokens: true) == "a")
        #expect(tok.decodeText([id("a"), eot]) == "a<|endoftext|>")
    }

    @Test("encodeBatch gives the same ids on one and two threads as single encodes")
    func batchMatchesSingle() throws {
        let tok = try BPETrainer(vocabSize: 400).train([Array(TestCorpus.sources.prefix(20_000).utf8)])
        let texts = TestCorpus.probes.map { Array($0.utf8) }
        let one = tok.encodeBatch(texts, threads: 1)
        let two = tok.encodeBatch(texts, threads: 2)
        #expect(one == two)
        #expect(one.map { $0.map(Int.init) } == texts.map { tok.encode(bytes: $0) })
    }

    /// minbpe-style reference: per pre-token, merge the leftmost lowest-rank pair until none applies.
    func naiveEncode(_ tok: BPETokenizer, _ text: String) -> [Int] {
        var rank: [BPEMerge: Int] = [:]
        for (r, m) in tok.merges.enumerated() where rank[m] == nil { rank[m] = r }
        var idOf: [[UInt8]: Int] = [:]
        for id in (0..<tok.vocabSize).reversed() { idOf[tok.tokenBytes[id]] = id }
        var out: [Int] = []
        for piece in PreTokenizer.split(text) {
            var ids = piece.map { Int(ByteLevel.baseId[Int($0)]) }
            while ids.count > 1 {
                let candidates = (0..<(ids.count - 1)).compactMap { i in rank[BPEMerge(ids[i], ids[i + 1])].map { ($0, i) } }
                guard let (_, i) = candidates.min(by: { $0 < $1 }) else { break }
                ids[i] = idOf[tok.tokenBytes[ids[i]] + tok.tokenBytes[ids[i + 1]]]!
                ids.remove(at: i + 1)
            }
            out += ids
        }
        return out
    }

    @Test("the cached, pass-wise encoder matches a naive reference BPE, long pre-tokens included")
    func matchesNaiveReference() throws {
        let corpus = [Array(TestCorpus.sources.prefix(20_000).utf8), Array(String(repeating: "ab", count: 50).utf8)]
        let tok = try BPETrainer(vocabSize: 500, minFrequency: 1).train(corpus)
        var encoder = BPEEncoder(tok)
        let texts = TestCorpus.probes + [String(repeating: "ab", count: 100), String(repeating: "=", count: 300)]
        for text in texts + texts {  // twice: the second pass is served from the cache
            var ids: [UInt32] = []
            encoder.encode(text, into: &ids)
            #expect(ids.map(Int.init) == naiveEncode(tok, text), "text: \(text.prefix(60).debugDescription)")
        }
    }
}
