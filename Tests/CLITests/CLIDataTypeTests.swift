import Foundation
import Testing
import TestSupport

/// `lathe validate` and `lathe run` refuse a data file whose records do not match its declared `type`
/// through one check (`DatasetPreflight`): exit 64, the recipe's file:line:col, the data file and line,
/// and the fix (issue 20 item 10). Tokenize-only recipes, so nothing trains.
@Suite(.serialized) struct CLIDataTypeTests {
    static func project(type: String, records: [String]) -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n", count: 40))
        p.write("pipelines/data/d.jsonl", records.joined(separator: "\n") + "\n")
        p.write("pipelines/d.yaml", """
            name: d
            stages:
              tok: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300}
              bad: {kind: tokenize, datasets: [{path: data/d.jsonl, type: \(type)}], vocab_size: 300}
            """)
        return p
    }

    @Test("validate and run refuse a file whose first record does not match its type, naming the recipe line, the file line and the fix",
          arguments: [
            ("alpaca", #"{"prompt": "a record of another format", "completion": "x"}"#, "record has no 'instruction' field"),
            ("chat", #"{"text": "plain text, no messages"}"#, "record has no 'messages' field"),
            ("classification", #"{"text": "good", "sentiment": "pos"}"#, "record has no label field 'label'"),
          ])
    func firstRecordOfAnotherType(type: String, record: String, problem: String) throws {
        let p = Self.project(type: type, records: [record])
        for command in ["validate", "run"] {
            let r = try CommandRunner.run([command, "pipelines/d.yaml"], in: p.root)
            #expect(r.status == 64, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("pipelines/d.yaml:4:3: stage 'bad': pipelines/data/d.jsonl does not hold \(type) records:"), "\(command): \(r.stderr)")
            #expect(r.stderr.contains("pipelines/data/d.jsonl:1: \(problem)"), "\(command): \(r.stderr)")
            #expect(r.stderr.contains("set the dataset's `type:` to the format the file has"), "\(command): \(r.stderr)")
        }
        // run refused before running anything: no lock file, no result in the store
        #expect(p.read("pipelines/d.lock") == nil)
        // a selection without the stage runs
        let only = try CommandRunner.run(["run", "pipelines/d.yaml", "--only", "tok"], in: p.root)
        #expect(only.status == 0, "\(only.stderr)")
    }

    @Test("run reads each file's first records before running, validate every record: a bad record after them fails the stage")
    func badRecordAfterTheFirst() throws {
        let good = (1...16).map { #"{"instruction": "say \#($0)", "output": "\#($0)"}"# }
        let p = Self.project(type: "alpaca", records: good + [#"{"instruction": "no output here"}"#])
        let validate = try CommandRunner.run(["validate", "pipelines/d.yaml"], in: p.root)
        #expect(validate.status == 64)
        #expect(validate.stderr.contains("pipelines/data/d.jsonl:17: record has no 'output' field"), "\(validate.stderr)")
        let run = try CommandRunner.run(["run", "pipelines/d.yaml"], in: p.root)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("d.jsonl:17: record has no 'output' field"), "\(run.stderr)")
        #expect(!run.stderr.contains("does not hold alpaca records"), "\(run.stderr)")
    }
}
