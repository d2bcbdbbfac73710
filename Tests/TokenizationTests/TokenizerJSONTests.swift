import Foundation
import Testing
@testable import Tokenization

@Suite struct TokenizerJSONTests {
    let tok: BPETokenizer = try! BPETrainer(vocabSize: 450).train([Array(TestCorpus.sources.prefix(20_000).utf8)])

    func temporaryFile(_ name: String, _ contents: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(contents.utf8).write(to: url)
        return url
    }

    @Test("write then load gives the same tokenizer, in both merges forms")
    func roundTrip() throws {
        let pairs = try BPETokenizer(tokenizerJSON: Data(tok.tokenizerJSON().utf8))
        let legacy = try BPETokenizer(tokenizerJSON: Data(tok.tokenizerJSON(legacyMerges: true).utf8))
        #expect(pairs == tok)
        #expect(legacy == tok)
        for probe in TestCorpus.probes { #expect(legacy.encode(probe) == tok.encode(probe)) }
        #expect(tok.tokenizerJSON(legacyMerges: true).contains("\"Ġ t\""))
    }

    @Test("loads a directory holding tokenizer.json, or vocab.json + merges.txt")
    func loadsDirectories() throws {
        let url = try temporaryFile("tokenizer.json", tok.tokenizerJSON())
        #expect(try BPETokenizer.load(contentsOf: url.deletingLastPathComponent()) == tok)
        var vocab: [String: Int] = [:]
        for id in 0..<tok.vocabSize { vocab[tok.tokenString(id)] = id }
        let vocabURL = try temporaryFile("vocab.json", String(decoding: try JSONEncoder().encode(vocab), as: UTF8.self))
        let merges = "#version: 0.2\n" + tok.merges.map { ByteLevel.encode(tok.tokenBytes[$0.left]) + " " + ByteLevel.encode(tok.tokenBytes[$0.right]) }.joined(separator: "\n") + "\n"
        try Data(merges.utf8).write(to: vocabURL.deletingLastPathComponent().appendingPathComponent("merges.txt"))
        #expect(try BPETokenizer.load(contentsOf: vocabURL.deletingLastPathComponent()) == tok)
    }

    @Test("a malformed tokenizer.json names the file and line")
    func malformedJSON() throws {
        let url = try temporaryFile("tokenizer.json", "{\n  \"version\": \"1.0\",\n  \"model\": {oops}\n}\n")
        do {
            _ = try BPETokenizer.load(contentsOf: url)
            Issue.record("expected an error")
        } catch let error as TokenizationError {
            guard case let .malformedJSON(path, line, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == url.path)
            #expect(line == 3)
            #expect("\(error)".hasPrefix("\(url.path):3: not valid JSON"))
        }
    }

    @Test("structural problems give a clear error", arguments: [
        ("{\"pre_tokenizer\": {\"type\": \"Whitespace\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}", "pre_tokenizer type 'Whitespace'"),
        ("{\"normalizer\": {\"type\": \"Lowercase\"}, \"model\": {}}", "normalizer type 'Lowercase'"),
        ("{\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Replace\", \"pattern\": {\"Regex\": \" +\"}, \"content\": \" \"}]}, \"model\": {}}", "normalizer.normalizers[0].pattern Regex"),
        ("{\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\w+\"}, \"behavior\": \"Isolated\"}]}, \"model\": {}}", "field 'pre_tokenizer.pretokenizers[0].pattern' is the Split regex \"\\\\w+\""),
        ("{\"pre_tokenizer\": {\"type\": \"Split\", \"pattern\": {\"Regex\": \"\\\\p{N}\"}, \"behavior\": \"Removed\"}, \"model\": {}}", "Split regex"),
        ("{\"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"ByteLevel\"}, {\"type\": \"Digits\"}]}, \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}", "ByteLevel must come last"),
        ("{\"post_processor\": {\"type\": \"BertProcessing\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}", "post_processor type 'BertProcessing'"),
        ("{\"decoder\": {\"type\": \"WordPiece\"}, \"model\": {\"type\": \"BPE\", \"vocab\": {}, \"merges\": []}}", "decoder type 'WordPiece'"),
        ("{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"WordPiece\"}}", "model type 'WordPiece'"),
        ("{\"pre_tokenizer\": {\"type\": \"ByteLevel\"}, \"model\": {\"type\": \"BPE\", \"merges\": []}}", "'model.vocab'"),
        ("[1, 2]", "must be a JSON object"),
    ])
    func structuralErrors(json: String, expected: String) throws {
        let url = try temporaryFile("tokenizer.json", json)
        do {
            _ = try BPETokenizer.load(contentsOf: url)
            Issue.record("expected an error for \(json)")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
            #expect("\(error)".hasPrefix(url.path))
        }
    }

    @Test("a merge with an unknown token is rejected with its index")
    func badMerge() throws {
        var json = tok.tokenizerJSON(legacyMerges: true)
        json = json.replacingOccurrences(of: "\"merges\": [\n      ", with: "\"merges\": [\n      \"zz§§ qq§§\",\n      ")
        let url = try temporaryFile("tokenizer.json", json)
        #expect {
            try BPETokenizer.load(contentsOf: url)
        } throws: { error in
            "\(error)".contains("merge #0") && "\(error)".contains("not in model.vocab")
        }
    }

    @Test("a missing file is reported with its path")
    func missingFile() {
        #expect {
            try BPETokenizer.load(contentsOf: URL(fileURLWithPath: "/nonexistent/tokenizer.json"))
        } throws: { error in
            "\(error)".contains("/nonexistent/tokenizer.json") && "\(error)".contains("no such file")
        }
    }
}

@Suite struct TokenIDsTests {
    @Test("ids print and parse as JSON arrays")
    func roundTrip() throws {
        #expect(TokenIDs.json([15496, 11, 995]) == "[15496, 11, 995]")
        #expect(try TokenIDs.parse(Data("[15496, 11,995]\n".utf8), source: "ids.json") == [15496, 11, 995])
    }

    @Test("bad id lists name the input and the entry")
    func errors() {
        #expect { try TokenIDs.parse(Data("hello".utf8), source: "stdin") } throws: { "\($0)".hasPrefix("stdin: field '(input)' must be a JSON array") }
        #expect { try TokenIDs.parse(Data("[1, -2]".utf8), source: "f") } throws: { "\($0)".contains("'[1]'") }
        #expect { try TokenIDs.parse(Data("[1, 500]".utf8), source: "f", vocabSize: 300) } throws: { "\($0)".contains("outside the tokenizer's vocabulary of 300") }
    }
}
