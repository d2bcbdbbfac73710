import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct CLITokenCommandsTests {
    func project() throws -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the glass vine blooms in spring.\n\n", count: 40))
        p.write("pipelines/data/qa.jsonl", """
            {"instruction": "When does the vine bloom?", "input": "", "output": "in spring"}
            {"instruction": "What is the vine made of?", "input": "", "output": "glass"}

            """)
        p.write("pipelines/r.yaml", """
            name: r
            stages:
              tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
              ft: {kind: instruct, from: scratch, tokenizer: tok, model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 64},
                   datasets: [{path: data/qa.jsonl, type: alpaca}], learning_rate: 1e-3, max_steps: 1}
            """)
        let r = try CommandRunner.run(["run", "pipelines/r.yaml", "--until", "tok"], in: p.root)
        #expect(r.status == 0, "\(r.stderr)")
        return p
    }

    @Test func encodeThenDecodeRoundTripsThroughTheShell() throws {
        let p = try project()
        p.write("note.txt", "the glass vine, naïve café ☕\n")
        let enc = try CommandRunner.run(["encode", "pipelines/r.yaml:tok", "note.txt"], in: p.root)
        #expect(enc.status == 0, "\(enc.stderr)")
        #expect(enc.stdout.hasPrefix("[") && enc.stdout.hasSuffix("]\n"))
        p.write("ids.json", enc.stdout)
        let dec = try CommandRunner.run(["decode", "pipelines/r.yaml:tok", "ids.json"], in: p.root)
        #expect(dec.status == 0)
        #expect(dec.stdout == "the glass vine, naïve café ☕\n")
    }

    @Test func decodeRejectsIdsOutsideTheVocabulary() throws {
        let p = try project()
        p.write("ids.json", "[1, 99999]")
        let dec = try CommandRunner.run(["decode", "pipelines/r.yaml:tok", "ids.json"], in: p.root)
        #expect(dec.status == 64)
        #expect(dec.stderr.contains("element 1 (99999) is not a token id"))
    }

    @Test func tokensShowsThePromptMaskedAndTheResponseTrained() throws {
        let p = try project()
        let r = try CommandRunner.run(["tokens", "pipelines/r.yaml", "ft", "--n", "1"], in: p.root)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.first?.contains("pipelines/data/qa.jsonl example 1") == true)
        let masked = lines.firstIndex { $0.hasPrefix("  masked") }
        let trained = lines.firstIndex { $0.hasPrefix("  trained") }
        #expect(masked != nil && trained != nil && masked! < trained!)
        #expect(lines[trained!].contains("<|endoftext|>"))
        #expect(lines[masked!].hasSuffix(":|Ċ|"), "the prompt ends with \"### Response:\\n\"")
    }

    @Test func tokensBeforeTheTokenizerRanSaysWhatToRun() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", "x\n")
        p.write("pipelines/r.yaml", "name: r\nstages:\n  tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}\n")
        let r = try CommandRunner.run(["encode", "pipelines/r.yaml:tok"], in: p.root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("Run `lathe run pipelines/r.yaml --until tok` first."))
    }
}
