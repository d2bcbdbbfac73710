import Foundation
import Testing
@testable import Datasets

/// `type: classification` data: CSV with RFC 4180 quotes, TSV without quoting (the sentiment-labelled-
/// sentences files), JSON/JSONL records, and every bad input named with its file and record.
@Suite struct ClassificationReaderTests {
    func spec(_ url: URL, columns: [String]? = nil, text: String? = nil, label: String? = nil, pair: String? = nil) -> DatasetSpec {
        var s = DatasetSpec(path: url, type: .classification, field: text)
        s.labelField = label
        s.textPairField = pair
        s.columns = columns
        return s
    }

    /// The error `body` throws, or nil (pattern-matching an enum case in `catch` crashes swift 6.3's SILGen here).
    func failure(_ body: () throws -> Void) -> DatasetError? {
        do { try body() } catch let error as DatasetError { return error } catch { Issue.record("unexpected \(error)") }
        return nil
    }

    @Test("CSV fields may be quoted, holding commas, doubled quotes and newlines; CRLF ends a record")
    func csvQuoting() throws {
        let csv = "text,label\r\n\"Great, really \"\"great\"\"\",pos\r\nplain text,neg\r\n\"two\nlines\",pos\r\n"
        let rows = try DelimitedText.rows(Array(csv.utf8), dialect: .csv, path: "x.csv")
        #expect(rows.map(\.fields) == [["text", "label"], ["Great, really \"great\"", "pos"], ["plain text", "neg"], ["two\nlines", "pos"]])
        #expect(rows.map(\.line) == [1, 2, 3, 4])
        let url = try Fixtures.file("reviews.csv", csv)
        let records = try ClassificationReader.read(spec(url)).records
        #expect(records.map(\.label) == ["pos", "neg", "pos"])
        #expect(records[0].text == "Great, really \"great\"")
        #expect(records[2].source == "\(url.path):4")
    }

    @Test("An unclosed CSV quote or text after a closing quote names the line")
    func csvErrors() throws {
        #expect(throws: DatasetError.self) { try DelimitedText.rows(Array("a,b\n\"open,1\n".utf8), dialect: .csv, path: "x.csv") }
        let open = failure { _ = try DelimitedText.rows(Array("a,b\n\"open,1\nmore\n".utf8), dialect: .csv, path: "x.csv") }
        #expect(open?.description.hasPrefix("x.csv:2: a quoted CSV field opened here is never closed") == true, "\(String(describing: open))")
        let after = failure { _ = try DelimitedText.rows(Array("a,b\n\"q\"x,1\n".utf8), dialect: .csv, path: "x.csv") }
        #expect(after?.description.hasPrefix("x.csv:2: text after a closing quote") == true, "\(String(describing: after))")
    }

    @Test("TSV has no quoting: a sentence opening with an unmatched quote stays one record (sentiment files)")
    func tsvSentimentLines() throws {
        let text = "A very slow-moving, aimless movie.  \t0\n\" The structure of this film is tight.  \t1\n\n\"You'll love it!  \t1\n"
        let url = try Fixtures.file("imdb_labelled.txt", text)
        let records = try ClassificationReader.read(spec(url, columns: ["text", "label"])).records
        #expect(records.count == 3)
        #expect(records[1].text == "\" The structure of this film is tight.  ")
        #expect(records.map(\.label) == ["0", "1", "1"])
        #expect(records[2].source == "\(url.path):4")
    }

    @Test("A delimited file without a header row and without `columns:` names the missing column and the fix")
    func headerlessWithoutColumns() throws {
        let url = try Fixtures.file("s.tsv", "good\t1\nbad\t0\n")
        let error = failure { _ = try ClassificationReader.read(spec(url)) }?.description ?? ""
        #expect(error.hasPrefix("\(url.path): no column 'text' for `text_field`") && error.contains("`columns:`"), "\(error)")
    }

    @Test("A row without its label, or with an empty label, names file and line")
    func missingLabelInRow() throws {
        let url = try Fixtures.file("s.tsv", "text\tlabel\ngood\t1\nno label here\n")
        #expect(throws: DatasetError.badRecord(path: url.path, line: 3, reason: "the row has 1 field but the label column 'label' is field 2 of 2 (tab-separated); is the label missing?")) {
            try ClassificationReader.read(spec(url))
        }
        let empty = try Fixtures.file("e.csv", "text,label\ngood,1\nbad, \n")
        #expect(throws: DatasetError.self) { try ClassificationReader.read(spec(empty)) }
    }

    @Test("JSONL records: labels may be strings, integers or booleans; a missing label field names the line")
    func jsonlRecords() throws {
        let url = try Fixtures.file("r.jsonl", "{\"review\": \"fine\", \"stars\": 4}\n{\"review\": \"meh\", \"stars\": \"2\"}\n{\"review\": \"ok\", \"stars\": true}\n")
        let records = try ClassificationReader.read(spec(url, text: "review", label: "stars")).records
        #expect(records.map(\.label) == ["4", "2", "true"])
        let bad = try Fixtures.file("b.jsonl", "{\"text\": \"fine\", \"label\": 1}\n{\"text\": \"no label\"}\n")
        let error = failure { _ = try ClassificationReader.read(spec(bad)) }?.description ?? ""
        #expect(error.hasPrefix("\(bad.path):2: record has no label field 'label'") && error.contains("`label_field:`"), "\(error)")
    }

    @Test("Sentence pairs read the second text from text_pair_field")
    func textPairs() throws {
        let url = try Fixtures.file("p.jsonl", "{\"a\": \"A man sleeps.\", \"b\": \"A person rests.\", \"label\": \"entailment\"}\n")
        let r = try ClassificationReader.read(spec(url, text: "a", pair: "b")).records[0]
        #expect(r.text == "A man sleeps." && r.pair == "A person rests." && r.label == "entailment")
    }

    @Test("An empty text is an error naming its record")
    func emptyText() throws {
        let url = try Fixtures.file("e.tsv", "text\tlabel\ngood\t1\n   \t0\n")
        let error = failure { _ = try ClassificationReader.read(spec(url)) }?.description ?? ""
        #expect(error.contains("record \(url.path):3 has an empty text"), "\(error)")
    }

    @Test("Labels are inferred sorted (numerically when all are integers); one class only is an error")
    func inferredLabels() throws {
        func records(_ labels: [String]) -> [LabeledText] { labels.enumerated().map { LabeledText(text: "t", label: $1, source: "f:\($0 + 1)") } }
        #expect(try ClassLabels(declared: nil, training: records(["10", "2", "1", "2"]), path: "f").names == ["1", "2", "10"])
        #expect(try ClassLabels(declared: nil, training: records(["pos", "neg"]), path: "f").names == ["neg", "pos"])
        #expect(try ClassLabels(declared: ["pos", "neg"], training: records(["neg"]) + records(["pos"]), path: "f").names == ["pos", "neg"])
        let one = failure { _ = try ClassLabels(declared: nil, training: records(["pos", "pos"]), path: "train.tsv") }?.description ?? ""
        #expect(one.hasPrefix("train.tsv: the training data holds one class only ('pos')"), "\(one)")
        #expect(throws: DatasetError.self) { try ClassLabels(declared: ["a", "a"], training: records(["a"]), path: "f") }
        #expect(throws: DatasetError.badRecord(path: "f", line: 2, reason: "the training label 'maybe' is not one of the model's labels ('yes', 'no'): add it to `labels:`")) {
            try ClassLabels(declared: ["yes", "no"], training: records(["yes", "maybe"]), path: "f")
        }
    }

    @Test("A test label the training data never had is an error naming the test record")
    func unseenTestLabel() throws {
        let labels = ClassLabels(names: ["neg", "pos"])
        let test = [LabeledText(text: "x", label: "pos", source: "test.tsv:1"), LabeledText(text: "y", label: "neutral", source: "test.tsv:7")]
        let error = failure { try labels.check(test, role: "test") }?.description ?? ""
        #expect(error.hasPrefix("test.tsv:7: the test label 'neutral'") && error.contains("never saw in training"), "\(error)")
    }

    @Test("The tokenizer trainer reads classification texts (pairs joined by a newline)")
    func examplesForTokenizers() throws {
        let url = try Fixtures.file("t.csv", "text,label\nhello,1\nworld,0\n")
        let docs = try DatasetReader.examples(spec(url))
        #expect(docs.map { String(decoding: $0.text, as: UTF8.self) } == ["hello", "world"])
    }
}
