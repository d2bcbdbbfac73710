import Foundation
import GGUF
import Testing
import TestSupport
import Tokenization
@testable import Modeling

/// A GGUF file's tokenizer metadata gives the tokenizer of the HF folder converted from it: the same ids
/// on the project's text plus digits, emoji, accents and the chat markers (the folder's tokenizer.json is
/// itself held to the Python `tokenizers` package by TokenizationTests).
@Suite struct GGUFTokenizerTests {
    @Test("SmolLM2's GGUF tokenizer encodes like its tokenizer.json, digits split one by one")
    func smolLM2GGUFTokenizerMatchesItsTokenizerJSON() throws {
        let folder = try LlamaParityTests.smolLM2()
        let file = try GGUFFile(contentsOf: folder.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf"))
        let metadata = try #require(try file.tokenizer())
        #expect(metadata.preTokenizer == "smollm")
        let fromGGUF = try BPETokenizer(gguf: metadata, source: "SmolLM2-135M-Instruct.Q4_1.gguf")
        let fromJSON = try BPETokenizer.load(contentsOf: folder.appendingPathComponent("tokenizer.json"))
        #expect(fromGGUF.vocabSize == fromJSON.vocabSize)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var text = try String(contentsOf: root.appendingPathComponent("pipelines/data/glassvine.txt"), encoding: .utf8)
        text += try String(contentsOf: root.appendingPathComponent("pipelines/data/general-test.txt"), encoding: .utf8)
        text += "\nIn 2026, 12,345 vines cost $6.78 — naïve café résumé 🌿🌿 日本語の文章\r\n<|im_start|>user\nHi<|im_end|>\n"
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var mismatches = 0
        for line in lines where fromGGUF.encode(line, allowAddedTokens: true) != fromJSON.encode(line, allowAddedTokens: true) {
            mismatches += 1
        }
        #expect(mismatches == 0, "\(mismatches) of \(lines.count) lines encode differently")
        #expect(fromGGUF.encode("2026").count == 4)  // smollm: one token per digit
        #expect(fromGGUF.encode("<|im_start|>", allowAddedTokens: true) == [1])
    }

    @Test("A GGUF tokenizer Lathe cannot build is an error naming the file and the field")
    func unsupportedTokenizersAreRefused() {
        let spm = GGUFTokenizerMetadata(model: "llama", tokens: ["<unk>", "a"])
        #expect(throws: ModelingError.self) { try BPETokenizer(gguf: spm, source: "x.gguf") }
        let odd = GGUFTokenizerMetadata(model: "gpt2", preTokenizer: "deepseek-coder", tokens: ["a"])
        do {
            _ = try BPETokenizer(gguf: odd, source: "x.gguf")
            Issue.record("an unknown pre-tokenizer was accepted")
        } catch {
            #expect("\(error)".contains("x.gguf") && "\(error)".contains("deepseek-coder"))
        }
    }
}
