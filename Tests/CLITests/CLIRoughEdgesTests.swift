import Foundation
import Testing
import TestSupport

/// The rough edges a new user hit (issue 20, items 8, 11 and 12), each run through the built binary on a
/// tokenize-only project (fast) or a tiny adapter chain.
@Suite(.serialized) struct CLIRoughEdgesTests {
    static let oneStage = """
        name: not-the-file-name
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300}
        """

    func project() -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n", count: 40))
        p.write("pipelines/one.yaml", Self.oneStage)
        return p
    }

    @Test("lathe --version prints the release and the cache-key generation")
    func version() throws {
        let r = try CommandRunner.run(["--version"], in: FileManager.default.temporaryDirectory)
        #expect(r.status == 0)
        #expect(r.stdout.hasPrefix("lathe 0."), "\(r.stdout)")
        #expect(r.stdout.contains("cache keys lathe-key-v"))
    }

    @Test("The help lists exit status 130 for an interrupted run")
    func helpListsInterrupted() throws {
        let r = try CommandRunner.run(["--help"], in: FileManager.default.temporaryDirectory)
        #expect(r.stdout.contains("130"), "\(r.stdout)")
        #expect(r.stdout.contains("interrupted"))
    }

    @Test("lathe run on a folder says it wants a recipe file and lists the recipes in it")
    func runOnAFolder() throws {
        let p = project()
        let r = try CommandRunner.run(["run", "pipelines"], in: p.root)
        #expect(r.status == 64)
        #expect(r.stderr.contains("lathe: pipelines is a folder; lathe wants a recipe file (one of pipelines/one.yaml)."), "\(r.stderr)")
        #expect(!r.stderr.contains("NSCocoaErrorDomain"))
    }

    @Test("--until with an unknown stage lists the recipe's stages")
    func unknownStageListsStages() throws {
        let p = project()
        let r = try CommandRunner.run(["run", "pipelines/one.yaml", "--until", "nope"], in: p.root)
        #expect(r.status == 64)
        #expect(r.stderr.contains("no stage named 'nope' in this recipe."), "\(r.stderr)")
        #expect(r.stderr.contains("The recipe's stages: tok."))
    }

    @Test("A second run of a one-stage recipe says 'the only stage is up to date'")
    func oneStageGrammar() throws {
        let p = project()
        #expect(try CommandRunner.run(["run", "pipelines/one.yaml"], in: p.root).status == 0)
        let again = try CommandRunner.run(["run", "pipelines/one.yaml"], in: p.root)
        #expect(again.stderr.contains("Nothing to do: the only stage is up to date (0 executed"), "\(again.stderr)")
    }

    @Test("Published store files are read-only (0444), and an exported copy is writable")
    func storeFilesAreReadOnly() throws {
        let p = project()
        #expect(try CommandRunner.run(["run", "pipelines/one.yaml"], in: p.root).status == 0)
        let files = try FileManager.default.subpathsOfDirectory(atPath: p.store.path).filter {
            $0.contains("/out/") || $0.hasSuffix("/manifest.json") || $0.hasSuffix("/manifest.sha256")
        }.filter { !$0.hasPrefix("tmp/") && !$0.hasPrefix("datasets/") }
        var checked = 0
        for file in files {
            let attributes = try FileManager.default.attributesOfItem(atPath: p.store.appendingPathComponent(file).path)
            guard attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o444, "\(file)")
            checked += 1
        }
        #expect(checked >= 3)
        let export = try CommandRunner.run(["export", "pipelines/one.yaml", "tok", "out"], in: p.root)
        #expect(export.status == 0, "\(export.stderr)")
        let copy = try FileManager.default.attributesOfItem(atPath: p.root.appendingPathComponent("out/tokenizer.json").path)
        #expect((copy[.posixPermissions] as? NSNumber)?.intValue == 0o644)
    }

    @Test("A failed stage leaves no empty resume folder behind")
    func failedStageLeavesNoResumeFolder() throws {
        let p = project()
        p.write("pipelines/bad.yaml", """
            stages:
              tok: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300}
              base: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 16}, datasets: [{path: data/bad.jsonl, type: alpaca}], max_steps: 1}
            """)
        // past the records `run` checks before it starts, so the stage itself fails on it
        let good = (1...16).map { #"{"instruction": "say \#($0)", "output": "\#($0)"}"# + "\n" }.joined()
        p.write("pipelines/data/bad.jsonl", good + #"{"instruction": "a record without its output"}"# + "\n")
        let r = try CommandRunner.run(["run", "pipelines/bad.yaml"], in: p.root)
        #expect(r.status == 1, "\(r.stderr)")
        let resume = p.store.appendingPathComponent("tmp/resume")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: resume.path)) ?? []
        #expect(left.isEmpty, "resume folders left: \(left)")
    }

    @Test("gc outside a project names the folder it was run in, not a made-up path")
    func gcOutsideAProject() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-noproject-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CommandRunner.run(["gc"], in: dir)
        #expect(r.status == 64)
        #expect(r.stderr.contains("lathe: \(dir.standardizedFileURL.path) is not inside a Lathe project"), "\(r.stderr)")
        #expect(!r.stderr.contains("/_"))
    }

    @Test("gc keeps the results of a recipe kept outside pipelines/, and ignores other tools' lock files")
    func gcKeepsRecipesOutsidePipelines() throws {
        let p = project()
        p.write("experiments/data/a.txt", String(repeating: "a spindle is turned between centres.\n", count: 40))
        p.write("experiments/side.yaml", Self.oneStage)
        p.write("Cargo.lock", "# not a Lathe lock file\n")
        #expect(try CommandRunner.run(["run", "experiments/side.yaml"], in: p.root).status == 0)
        let gc = try CommandRunner.run(["gc"], in: p.root)
        #expect(gc.status == 0, "\(gc.stderr)")
        #expect(gc.stdout.contains("Deleted 0 entries"), "\(gc.stdout)")
        let again = try CommandRunner.run(["run", "experiments/side.yaml"], in: p.root)
        #expect(again.stderr.contains("Nothing to do"), "\(again.stderr)")
    }

    @Test("The report file is named after the recipe file, not its name: field")
    func reportNamedAfterTheFile() throws {
        let p = project()
        let r = try CommandRunner.run(["report", "pipelines/one.yaml"], in: p.root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(p.read("reports/one.html") != nil)
    }

    @Test("lathe init's .gitignore ignores reports/")
    func initIgnoresReports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-init-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try CommandRunner.run(["init", dir.path], in: FileManager.default.temporaryDirectory).status == 0)
        let ignore = try String(contentsOf: dir.appendingPathComponent(".gitignore"), encoding: .utf8)
        #expect(ignore.split(separator: "\n").contains("reports/"))
    }

    @Test("An exported adapter loads with AutoPeftModelForCausalLM.from_pretrained from any folder, base tokenizer included")
    func exportedAdapterLoadsInPEFT() throws {
        let p = project()
        p.write("pipelines/lora.yaml", """
            seed: 1
            stages:
              tok: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300}
              base: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32}, datasets: [{path: data/a.txt}], max_steps: 1, sequence_len: 32}
              lora: {kind: attach-adapters, from: base, lora_r: 2, datasets: [{path: data/a.txt}], max_steps: 1, sequence_len: 32}
            """)
        #expect(try CommandRunner.run(["run", "pipelines/lora.yaml"], in: p.root).status == 0)
        let export = try CommandRunner.run(["export", "pipelines/lora.yaml", "lora", "exported/lora"], in: p.root)
        #expect(export.status == 0, "\(export.stderr)")
        let folder = p.root.appendingPathComponent("exported/lora").standardizedFileURL
        #expect(export.stdout.contains("names the base as \(folder.path)/base"), "\(export.stdout)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("base/tokenizer.json").path))
        // run from another folder: PEFT resolves base_model_name_or_path against the working folder
        let out = try Python.run(["-c", """
            import os, sys
            os.environ["HF_HUB_OFFLINE"] = "1"
            os.chdir("/")
            import torch
            from peft import AutoPeftModelForCausalLM
            from transformers import AutoTokenizer
            model = AutoPeftModelForCausalLM.from_pretrained(sys.argv[1])
            tok = AutoTokenizer.from_pretrained(os.path.join(sys.argv[1], "base"))
            ids = torch.tensor([tok.encode("the lathe turns")])
            print("ok", tuple(model(ids).logits.shape))
            """, folder.path])
        #expect(out.hasPrefix("ok (1, "), "\(out)")
    }
}
