import Foundation
import Testing
@testable import Tokenization

/// Loads a Lathe-trained tokenizer.json in HF `tokenizers` (a real Python subprocess) and compares
/// ids and decoded text. Needs `pip install tokenizers`; fails (never skips) without it.
@Suite struct PythonParityTests {
    static let script = """
        import json, sys
        try:
            from tokenizers import Tokenizer
        except ImportError:
            print("MISSING: the Python package 'tokenizers' is not installed; run: pip install tokenizers")
            sys.exit(3)
        tok = Tokenizer.from_file(sys.argv[1])
        texts = json.load(open(sys.argv[2], encoding="utf-8"))
        out = []
        for t in texts:
            ids = tok.encode(t).ids
            out.append({"ids": ids, "decoded": tok.decode(ids, skip_special_tokens=False)})
        json.dump(out, sys.stdout)
        """

    struct Result: Decodable {
        var ids: [Int]
        var decoded: String
    }

    /// Runs the script on `tokenizerJSON` and `texts`; returns HF's ids and decodes.
    func huggingFace(_ tokenizerJSON: String, _ texts: [String]) throws -> [Result] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-parity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tokURL = dir.appendingPathComponent("tokenizer.json")
        let textURL = dir.appendingPathComponent("texts.json")
        let scriptURL = dir.appendingPathComponent("parity.py")
        try Data(tokenizerJSON.utf8).write(to: tokURL)
        try JSONEncoder().encode(texts).write(to: textURL)
        try Data(Self.script.utf8).write(to: scriptURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", scriptURL.path, tokURL.path, textURL.path]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if process.terminationStatus == 3 {
            Issue.record("pip install tokenizers — \(text)")
            return []
        }
        guard process.terminationStatus == 0 else {
            Issue.record("python3 failed (\(process.terminationStatus)): \(errors)")
            return []
        }
        return try JSONDecoder().decode([Result].self, from: data)
    }

    @Test("HF tokenizers loads a Lathe tokenizer.json and gives identical ids (both merges forms)")
    func identicalIds() throws {
        let corpus = [Array(TestCorpus.sources.utf8), Array(TestCorpus.prose.utf8)]
        let tok = try BPETrainer(vocabSize: 1000).train(corpus)
        let texts = TestCorpus.probes + [TestCorpus.sources, "inline <|endoftext|> special"]
        for legacy in [false, true] {
            let hf = try huggingFace(tok.tokenizerJSON(legacyMerges: legacy), texts)
            try #require(hf.count == texts.count)
            for (text, r) in zip(texts, hf) {
                #expect(tok.encode(text, allowAddedTokens: true) == r.ids, "legacy: \(legacy), text: \(text.prefix(80).debugDescription)")
                #expect(tok.decodeText(r.ids) == r.decoded)
            }
        }
    }
}
