import Testing
@testable import Tokenization

@Suite struct TrainerTests {
    let corpus = [Array(TestCorpus.prose.utf8), Array(TestCorpus.sources.prefix(30_000).utf8)]

    @Test("training is deterministic across runs and thread counts")
    func deterministic() throws {
        let a = try BPETrainer(vocabSize: 500, threads: 1).train(corpus)
        let b = try BPETrainer(vocabSize: 500, threads: 1).train(corpus)
        let c = try BPETrainer(vocabSize: 500, threads: 2).train(corpus)
        #expect(a == b)
        #expect(a == c)
        #expect(a.tokenizerJSON() == c.tokenizerJSON())
    }

    @Test("reaches vocab_size with the special token last")
    func vocabSizeAndSpecials() throws {
        let tok = try BPETrainer(vocabSize: 400, specialTokens: ["<|endoftext|>", "<|pad|>"]).train(corpus)
        #expect(tok.vocabSize == 400)
        #expect(tok.addedTokenId("<|endoftext|>") == 398)
        #expect(tok.addedTokenId("<|pad|>") == 399)
        #expect(tok.merges.count >= 142)
    }

    @Test("min_frequency stops merging before rare pairs")
    func minFrequency() throws {
        let tok = try BPETrainer(vocabSize: 10_000, minFrequency: 3, specialTokens: []).train([Array("ab ab ab cd cd".utf8)])
        // "ab" (3×) and "Ġab" (2×)? Only pairs seen ≥ 3 times merge: a b (3), then nothing else reaches 3.
        #expect(tok.merges.count == 1)
        #expect(tok.vocabSize == 257)
    }

    @Test("rejects a vocab_size that cannot hold the bytes and special tokens")
    func tooSmall() {
        #expect(throws: TokenizationError.self) { try BPETrainer(vocabSize: 256).train(corpus) }
        do {
            _ = try BPETrainer(vocabSize: 100).train(corpus)
        } catch {
            #expect("\(error)".contains("at least 257"))
        }
    }

    @Test("the most frequent pair is merged first")
    func firstMerge() throws {
        let tok = try BPETrainer(vocabSize: 257, minFrequency: 1, specialTokens: []).train([Array("xy xy xy zz".utf8)])
        #expect(tok.merges == [BPEMerge(Int(ByteLevel.baseId[0x78]), Int(ByteLevel.baseId[0x79]))])
    }

    @Test("A huge pre-token is counted in pieces, so no trained token is longer than 1,024 bytes")
    func hugeWordsAreCountedInBoundedPieces() throws {
        let huge = [UInt8](repeating: 0, count: 3 << 20)  // a 3 MiB line of NUL bytes: one GPT-2 pre-token
        let text = Array(String(repeating: "the lathe turns wood. ", count: 200).utf8)
        let tokenizer = try BPETrainer(vocabSize: 400, threads: 2).train([huge, text, huge])
        let longest = tokenizer.tokenBytes.map(\.count).max() ?? 0
        #expect(longest <= 1_024, "longest token \(longest) bytes")
        #expect(longest > 64, "the NUL run still merges up to the cap")
        #expect(tokenizer.encode("the lathe").count <= 3)
    }
}
