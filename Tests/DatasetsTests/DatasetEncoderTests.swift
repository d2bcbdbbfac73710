import Foundation
import Testing
import Tokenization
@testable import Datasets

@Suite struct DatasetEncoderTests {
    let tok = Fixtures.tokenizer

    func alpaca(trainOnInputs: Bool = false, trainOnEOS: Bool = true) throws -> ([Example], EncodedDataset) {
        let url = try Fixtures.file("a.jsonl", Fixtures.alpacaJSONL)
        let examples = try DatasetReader.examples(DatasetSpec(path: url, type: .alpaca, trainOnInputs: trainOnInputs, trainOnEOS: trainOnEOS))
        return (examples, try DatasetEncoder.encode(examples, tokenizer: tok))
    }

    @Test("Alpaca masks: last prompt token masked, first response token trained, EOS trained")
    func alpacaMaskBoundaries() throws {
        let (examples, encoded) = try alpaca()
        let eos = UInt32(try #require(tok.endOfTextId))
        for (d, example) in examples.enumerated() {
            let (ids, mask) = encoded.document(d)
            let promptCount = tok.encode(bytes: example.segments[0].bytes).count
            let responseCount = tok.encode(bytes: example.segments[1].bytes).count
            #expect(ids.count == promptCount + responseCount + 1)
            let start = ids.startIndex
            #expect(mask[start + promptCount - 1] == 0, "last prompt token")
            #expect(mask[start + promptCount] == 1, "first response token")
            #expect(ids.last == eos)
            #expect(mask.last == 1, "EOS")
            #expect(Array(mask) == [UInt8](repeating: 0, count: promptCount) + [UInt8](repeating: 1, count: responseCount + 1))
            // The prompt ends "### Response:\n", so its last token is a newline piece.
            #expect(tok.tokenString(Int(ids[start + promptCount - 1])).hasSuffix("Ċ"))
            #expect(tok.decodeText(ids[(start + promptCount)...].map(Int.init), skipSpecialTokens: true) == String(decoding: example.segments[1].bytes, as: UTF8.self))
        }
    }

    @Test("train_on_inputs trains the prompt; train_on_eos false masks EOS")
    func maskOptions() throws {
        let (_, all) = try alpaca(trainOnInputs: true)
        #expect(all.lossMask.allSatisfy { $0 == 1 })
        let (_, noEOS) = try alpaca(trainOnEOS: false)
        for d in 0..<noEOS.documentCount { #expect(noEOS.document(d).mask.last == 0) }
    }

    @Test("invalid UTF-8 in a .txt dataset is tokenized bytewise and decodes exactly")
    func invalidUTF8() throws {
        let bytes: [UInt8] = Array("good text ".utf8) + [0xFF, 0xC3, 0x28] + Array(" more".utf8)
        let url = try Fixtures.directory().appendingPathComponent("bad.txt")
        try Data(bytes).write(to: url)
        let encoded = try DatasetEncoder.encode(DatasetSpec(path: url, type: .completion), tokenizer: tok)
        let ids = encoded.document(0).tokens.map(Int.init)
        #expect(tok.decode(Array(ids.dropLast())) == bytes)
        #expect(ids.last == tok.endOfTextId)
    }

    @Test("stats report bytes per token")
    func stats() throws {
        let url = try Fixtures.file("c.txt", Fixtures.text)
        let examples = try DatasetReader.examples(DatasetSpec(path: url, type: .completion))
        let stats = try DatasetStats(examples: examples, tokenizer: tok)
        #expect(stats.documents == 3)
        #expect(stats.tokens == stats.trainedTokens)
        let textTokens = examples.reduce(0) { $0 + tok.encode(bytes: $1.text).count }
        #expect(stats.bytesPerToken == Double(stats.bytes) / Double(textTokens))
        #expect(stats.bytesPerToken > 1)
    }

    @Test("the preview shows where the mask switches")
    func preview() throws {
        let (_, encoded) = try alpaca()
        let text = TokenPreview.render(encoded, document: 0, tokenizer: tok, title: "example 1")
        let lines = text.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].hasPrefix("  masked  |"))
        #expect(lines[2].hasPrefix("  trained |"))
        #expect(lines[2].hasSuffix("<|endoftext|>|"))
    }
}

@Suite struct TokenizerTrainingTests {
    @Test("the tokenize stage trains on every dataset's text and reports stats per dataset")
    func trainsOnSpecs() throws {
        let specs = [
            DatasetSpec(path: try Fixtures.file("c.txt", Fixtures.text), type: .completion),
            DatasetSpec(path: try Fixtures.file("a.jsonl", Fixtures.alpacaJSONL), type: .alpaca),
        ]
        let tok = try TokenizerTraining.train(on: specs, trainer: BPETrainer(vocabSize: 300))
        #expect(tok.vocabSize == 300)
        #expect(tok.endOfTextId == 299)
        let stats = try TokenizerTraining.stats(specs, tokenizer: tok)
        #expect(stats.map(\.documents) == [3, 3])
        #expect(stats.allSatisfy { $0.bytesPerToken > 1 })
        let again = try TokenizerTraining.train(on: specs, trainer: BPETrainer(vocabSize: 300))
        #expect(again.tokenizerJSON() == tok.tokenizerJSON())
    }

    @Test("a tokenized dataset cannot train a tokenizer")
    func tokenizedRejected() throws {
        let url = try Fixtures.directory().appendingPathComponent("t.bin")
        #expect {
            try TokenizerTraining.documents([DatasetSpec(path: url, type: .tokenized)])
        } throws: { "\($0)".contains("has no text to train a tokenizer on") }
    }
}
