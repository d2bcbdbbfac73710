import Foundation
import Testing
import TestSupport

/// The built binary, run as a user would (no stage has to execute in these).
@Suite struct CLIBasicsTests {
    func lathe(_ args: String..., in dir: URL = CommandRunner.packageRoot) throws -> CommandRunner.Result {
        try CommandRunner.run(args, in: dir)
    }

    @Test func helpListsEverySubcommandWithExamples() throws {
        let r = try lathe("--help")
        #expect(r.status == 0)
        for sub in ["init", "run", "status", "dag", "validate", "tokens", "encode", "decode", "schema", "sample", "export", "gc", "verify"] {
            #expect(r.stdout.contains("  \(sub) "), "missing \(sub)")
            let help = try lathe(sub, "--help")
            #expect(help.stdout.contains("Examples:"), "\(sub) --help has no examples")
        }
    }

    @Test func schemaFilesAreWhatTheBinaryPrints() throws {
        for which in ["recipe", "lock", "manifest", "metrics"] {
            let printed = try lathe("schema", which).stdout
            let file = try String(contentsOf: CommandRunner.packageRoot.appendingPathComponent("schemas/\(which).schema.json"), encoding: .utf8)
            #expect(printed == file, "schemas/\(which).schema.json is stale: run `lathe schema \(which) > schemas/\(which).schema.json`")
        }
    }

    @Test func invalidRecipeExits64WithEveryErrorAndItsLocation() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", "text\n")
        p.write("pipelines/bad.yaml", """
            name: bad
            stages:
              tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_sise: 300}
              base: {kind: pretrain-continue, from: bsae, datasets: [{path: data/missing.txt, type: completion}], learning_rate: 1e-3}
            """)
        let r = try lathe("run", "pipelines/bad.yaml", in: p.root)
        #expect(r.status == 64)
        #expect(r.stderr.contains("pipelines/bad.yaml:3:"))
        #expect(r.stderr.contains("Did you mean 'vocab_size'?"))
        #expect(r.stderr.contains("data/missing.txt"))
        #expect(r.stderr.contains("nothing was run"))
        let v = try lathe("validate", "pipelines/bad.yaml", in: p.root)
        #expect(v.status == 64)
    }

    @Test func unknownStageNameInOptionsIsAUsageError() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", "text\n")
        p.write("pipelines/r.yaml", "name: r\nstages:\n  tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}\n")
        let r = try lathe("run", "pipelines/r.yaml", "--only", "tak", in: p.root)
        #expect(r.status == 64)
        #expect(r.stderr.contains("no stage named 'tak' in this recipe. Did you mean 'tok'?"))
        let usage = try lathe("run", "pipelines/r.yaml", "--jobs", "0", in: p.root)
        #expect(usage.status == 64)
    }

    @Test func dagPrintsTextDotAndMermaid() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", "text\n")
        p.write("pipelines/r.yaml", """
            name: r
            stages:
              tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
              base: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 16}, datasets: [{path: data/a.txt, type: completion}], learning_rate: 1e-3, max_steps: 1}
            """)
        #expect(try lathe("dag", "pipelines/r.yaml", in: p.root).stdout == "tok   [tokenize]\nbase  [pretrain-continue] ← tok\n")
        #expect(try lathe("dag", "pipelines/r.yaml", "--format", "dot", in: p.root).stdout.contains("\"tok\" -> \"base\";"))
        #expect(try lathe("dag", "pipelines/r.yaml", "--format", "mermaid", in: p.root).stdout.contains("s0 --> s1"))
    }

    @Test func missingRecipeAndMissingProjectRootAreUsageErrors() throws {
        let r = try lathe("status", "/nonexistent/x.yaml")
        #expect(r.status == 64)
        #expect(r.stderr.contains("no such recipe file"))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-noroot-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("name: x\nstages: {}\n".utf8).write(to: dir.appendingPathComponent("x.yaml"))
        let n = try lathe("status", "x.yaml", in: dir)
        #expect(n.status == 64)
        #expect(n.stderr.contains("no project root found"))
    }

    @Test func verifyAndGcWorkOnAnEmptyStore() throws {
        let p = TemporaryProject()
        let v = try lathe("verify", in: p.root)
        #expect(v.status == 0)
        #expect(v.stdout.contains("Verified 0 entries: all intact."))
        let g = try lathe("gc", "--dry-run", in: p.root)
        #expect(g.status == 0)
        #expect(g.stdout.contains("Would delete 0 entries"))
    }
}

@Suite struct CLIInitTests {
    @Test func initScaffoldsAValidRecipeThatRunsAndRefusesToOverwrite() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-init-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CommandRunner.run(["init", dir.path], in: FileManager.default.temporaryDirectory)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("(3 stages, valid)"))
        let run = try CommandRunner.run(["run", "pipelines/starter.yaml", "--set", "stages.base.max_steps=2",
                                         "--set", "stages.assistant.max_steps=2"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("Done: 3 executed"))
        let again = try CommandRunner.run(["init", dir.path], in: FileManager.default.temporaryDirectory)
        #expect(again.status == 64)
        #expect(again.stderr.contains("already exists; nothing was written"))
    }
}
