import Foundation
import JSONText
import Testing
@testable import Datasets

@Suite struct DatasetRecordTests {
    func parse(_ text: String) throws(DatasetError) -> [DatasetRecord] {
        try DatasetRecord.parse(Array(text.utf8), path: "d.json", limit: nil)
    }

    @Test("a broken JSON array is reported at its line and column, not only as the file")
    func arrayErrorHasPosition() {
        #expect(throws: DatasetError.badRecord(path: "d.json", line: 3, reason: "not valid JSON (expected ',' or '}' at column 16); the file must be one JSON array of objects, or JSON Lines")) {
            try parse("[\n  {\"text\": \"a\"},\n  {\"text\": \"b\" \"label\": 1}\n]")
        }
    }

    @Test("a record with a key written twice is refused: which value it meant is ambiguous")
    func duplicateKeysAreRefused() {
        #expect {
            try parse("{\"text\": \"a\"}\n{\"text\": \"b\", \"text\": \"c\"}\n")
        } throws: { error in
            "\(error)".hasPrefix("d.json:2: not a valid JSON line (duplicate key 'text' at column 15)")
        }
    }

    @Test("a JSON Lines line that is valid JSON but not an object says what it is")
    func nonObjectLineNamesItsKind() {
        #expect(throws: DatasetError.badRecord(path: "d.json", line: 2, reason: "expected a JSON object on this line, found an array")) {
            try parse("{\"text\": \"a\"}\n[1, 2]\n")
        }
        #expect(throws: DatasetError.badRecord(path: "d.json", line: 0, reason: "record #2 is not a JSON object (it is a string)")) {
            try parse("[{\"text\": \"a\"}, \"b\"]")
        }
    }

    @Test("invalid UTF-8 on a line is named as such")
    func invalidUTF8() {
        var bytes = Array("{\"text\": \"a\"}\n{\"text\": \"".utf8)
        bytes += [0xC3, 0x28] + Array("\"}\n".utf8)
        #expect(throws: DatasetError.badRecord(path: "d.jsonl", line: 2, reason: "not valid UTF-8; JSON Lines needs one complete JSON object per line")) {
            try DatasetRecord.parse(bytes, path: "d.jsonl", limit: nil)
        }
    }

    @Test("records keep file order, members keep their order, and blank lines only advance the line number")
    func orderAndLocations() throws {
        let records = try parse("\n{\"b\": 1, \"a\": \"x\"}\n  \n{\"c\": null}\n")
        #expect(records.map(\.location) == ["d.json:2", "d.json:4"])
        #expect(records[0].object.keys == ["b", "a"])
        #expect(try records[1].optionalString("c") == nil)
        #expect(throws: DatasetError.badRecord(path: "d.json", line: 2, reason: "field 'b' must be a string")) {
            try records[0].string("b", hint: "")
        }
        let array = try parse("[{\"t\": \"x\"}, {\"t\": \"y\"}, {\"t\": \"z\"}]")
        #expect(array.map(\.location) == ["d.json#1", "d.json#2", "d.json#3"])
        #expect(try DatasetRecord.parse(Array("[{\"t\": 1}, {\"t\": 2}, {\"t\": 3}]".utf8), path: "d.json", limit: 2).count == 2)
    }

    @Test("a missing field lists the record's keys, sorted, and the fix; an array element names its number")
    func missingFieldListsKeys() throws {
        let record = try parse("[{\"zeta\": 1, \"alpha\": 2}]")[0]
        #expect(record.missing("'text' field", hint: "Set `field:`.") == .badRecord(
            path: "d.json", line: 0, reason: "record has no 'text' field (record #1) (it has 'alpha', 'zeta'). Set `field:`."))
    }

    @Test("classification labels read as text: strings as written, integers without a fraction, booleans as words")
    func labelsAsText() {
        #expect(ClassificationReader.labelText(.string("pos")) == "pos")
        #expect(ClassificationReader.labelText(.int(-3)) == "-3")
        #expect(ClassificationReader.labelText(.double(2.0)) == "2")
        #expect(ClassificationReader.labelText(.double(0.5)) == "0.5")
        #expect(ClassificationReader.labelText(.bool(false)) == "false")
        #expect(ClassificationReader.labelText(.null) == nil)
        #expect(ClassificationReader.labelText(.array([])) == nil)
    }
}
