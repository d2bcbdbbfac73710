import Foundation
import Testing
@testable import Datasets

@Suite struct DatasetReaderTests {
    @Test("completion .txt splits documents on blank lines, or keeps the whole file")
    func completionText() throws {
        let url = try Fixtures.file("corpus.txt", Fixtures.text + "\n\n   \n")
        let docs = try DatasetReader.examples(DatasetSpec(path: url, type: .completion))
        #expect(docs.count == 3)
        #expect(String(decoding: docs[1].text, as: UTF8.self) == "A rerun with nothing changed does nothing; a changed learning rate reruns one stage.\nIts dependents follow, and nothing else.")
        #expect(docs[1].source == "\(url.path):3")
        let whole = try DatasetReader.examples(DatasetSpec(path: url, type: .completion, documentSplit: .wholeFile))
        #expect(whole.count == 1)
    }

    @Test("completion reads a directory of .txt files in name order")
    func completionDirectory() throws {
        let dir = try Fixtures.directory()
        try Data("second".utf8).write(to: dir.appendingPathComponent("b.txt"))
        try Data("first".utf8).write(to: dir.appendingPathComponent("a.txt"))
        let docs = try DatasetReader.examples(DatasetSpec(path: dir, type: .completion, documentSplit: .wholeFile))
        #expect(docs.map { String(decoding: $0.text, as: UTF8.self) } == ["first", "second"])
    }

    @Test("completion JSONL reads the configured field")
    func completionJSONL() throws {
        let url = try Fixtures.file("c.jsonl", "{\"body\": \"one\"}\n\n{\"body\": \"two\"}\n")
        let docs = try DatasetReader.examples(DatasetSpec(path: url, type: .completion, field: "body"))
        #expect(docs.map { String(decoding: $0.text, as: UTF8.self) } == ["one", "two"])
        #expect(docs[1].source == "\(url.path):3")
    }

    @Test("a JSONL record missing its field names file, line and the fix")
    func missingField() throws {
        let url = try Fixtures.file("c.jsonl", "{\"text\": \"ok\"}\n{\"txt\": \"typo\"}\n")
        #expect(throws: DatasetError.badRecord(path: url.path, line: 2, reason: "record has no 'text' field (it has 'txt'). Set `field:` to the key that holds the text")) {
            try DatasetReader.examples(DatasetSpec(path: url, type: .completion))
        }
        let error = DatasetError.badRecord(path: url.path, line: 2, reason: "x")
        #expect("\(error)".hasPrefix("\(url.path):2: "))
    }

    @Test("a broken JSON line is reported with its line number")
    func brokenLine() throws {
        let url = try Fixtures.file("a.jsonl", Fixtures.alpacaJSONL + "{\"instruction\": \n")
        #expect {
            try DatasetReader.examples(DatasetSpec(path: url, type: .alpaca))
        } throws: { error in
            "\(error)".hasPrefix("\(url.path):4: not a valid JSON line")
        }
    }

    @Test("an empty dataset is a clear error")
    func emptyDataset() throws {
        for (name, contents, type) in [("e.txt", "\n\n  \n", DatasetType.completion), ("e.jsonl", "", .alpaca), ("e.json", "[]", .alpaca)] {
            let url = try Fixtures.file(name, contents)
            #expect {
                try DatasetReader.examples(DatasetSpec(path: url, type: type))
            } throws: { error in
                "\(error)".hasPrefix("\(url.path): the dataset is empty")
            }
        }
    }

    @Test("a missing file is a clear error")
    func missingFile() {
        #expect {
            try DatasetReader.examples(DatasetSpec(path: URL(fileURLWithPath: "/nonexistent/data.jsonl"), type: .alpaca))
        } throws: { error in
            "\(error)" == "/nonexistent/data.jsonl: cannot read the dataset: no such file."
        }
    }

    @Test("alpaca reads a JSON array and JSONL alike, with the right template variant")
    func alpacaFormats() throws {
        let jsonl = try Fixtures.file("a.jsonl", Fixtures.alpacaJSONL)
        let lines = Fixtures.alpacaJSONL.split(separator: "\n").joined(separator: ",\n")
        let array = try Fixtures.file("a.json", "[\n" + lines + "\n]")
        let a = try DatasetReader.examples(DatasetSpec(path: jsonl, type: .alpaca))
        let b = try DatasetReader.examples(DatasetSpec(path: array, type: .alpaca))
        #expect(a.map(\.segments) == b.map(\.segments))
        let noInput = String(decoding: a[0].segments[0].bytes, as: UTF8.self)
        #expect(noInput == "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\nName the stage that trains a tokenizer.\n\n### Response:\n")
        let withInput = String(decoding: a[1].segments[0].bytes, as: UTF8.self)
        #expect(withInput.hasSuffix("### Input:\nA rerun with nothing changed does nothing.\n\n### Response:\n"))
        #expect(a[0].segments.map(\.trained) == [false, true])
        #expect(b[2].source == "\(array.path)#3")
    }

    @Test("dolly maps context to input and response to output")
    func dolly() throws {
        let url = try Fixtures.file("d.jsonl", Fixtures.dollyJSONL)
        let ex = try DatasetReader.examples(DatasetSpec(path: url, type: .dolly))
        #expect(String(decoding: ex[0].segments[0].bytes, as: UTF8.self).contains("### Input:\nIt records keys and hashes.\n\n### Response:\n"))
        #expect(String(decoding: ex[0].segments[1].bytes, as: UTF8.self) == "Keys and output hashes.")
    }

    @Test("input_output takes prompt/completion pairs and labeled segments")
    func inputOutput() throws {
        let url = try Fixtures.file("io.jsonl", """
            {"prompt": "Q: 2+2?", "completion": " 4"}
            {"segments": [{"text": "masked ", "label": false}, {"text": "trained", "label": true}]}
            """)
        let ex = try DatasetReader.examples(DatasetSpec(path: url, type: .inputOutput, trainOnInputs: true))
        #expect(ex[0].segments.map(\.trained) == [true, true])
        #expect(ex[1].segments.map(\.trained) == [false, true])
    }

    @Test("the Stanford template ends the prompt without a newline")
    func stanfordTemplate() {
        #expect(PromptTemplate.alpacaStanford.prompt(instruction: "i", input: nil).hasSuffix("### Response:"))
        #expect(PromptTemplate.alpaca.prompt(instruction: "i", input: "").hasSuffix("### Instruction:\ni\n\n### Response:\n"))
    }
}
