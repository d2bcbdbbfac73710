import Foundation
import Testing
@testable import Recipes
import Stages
#if canImport(Glibc)
import Glibc
#endif

/// Issue 23 (round two of hostile input): what `lathe validate` must catch before anything runs.
@Suite struct HostileRecipeTests {
    @Test("a 15,000-part --set key is a clear error, not a stack overflow")
    func deepOverrideKeyIsBounded() throws {
        let key = "stages.tok." + Array(repeating: "a", count: 15_000).joined(separator: ".") + ".b"
        let errors = try TestProject().errors("stages:\n  tok: {kind: tokenize, datasets: [{path: data/a.txt}]}\n",
                                              overrides: [key + "=1"])
        #expect(errors.count == 1)
        #expect(errors[0].contains("the key has 15003 parts; no recipe key is deeper than 32"))
        #expect(errors[0].count < 400)  // the key itself is clipped, never echoed whole
    }

    @Test("stage and recipe names ending in a newline are refused")
    func namesWithATrailingNewlineAreRefused() throws {
        let project = try TestProject()
        let stage = project.errors("stages:\n  \"tok\\n\": {kind: tokenize, datasets: [{path: data/a.txt}]}\n")
        #expect(stage.count == 1 && stage[0].contains("stage name 'tok\\n' may use only"), "\(stage)")
        let recipe = project.errors("name: \"clinic\\n\"\nstages:\n  tok: {kind: tokenize, datasets: [{path: data/a.txt}]}\n")
        #expect(recipe != ["loaded"])
        #expect(project.errors("name: clinic\nstages:\n  tok: {kind: tokenize, datasets: [{path: data/a.txt}]}\n") == ["loaded"])
    }

    @Test("a NUL in a path, a folder given for a one-file dataset and a FIFO are caught by validate")
    func pathProblemsAreCaughtByValidate() throws {
        let project = try TestProject()
        let nul = project.errors("stages:\n  tok: {kind: tokenize, datasets: [{path: \"data/a.txt\\0.png\"}]}\n")
        #expect(nul.count == 1 && nul[0].contains("holds a control character") && nul[0].contains("\\u{0}"))
        try FileManager.default.createDirectory(at: project.root.appendingPathComponent("pipelines/data/alpaca"), withIntermediateDirectories: true)
        let folder = project.errors("stages:\n  tok: {kind: tokenize, datasets: [{path: data/alpaca, type: alpaca}]}\n")
        #expect(folder.count == 1 && folder[0].contains("names the folder pipelines/data/alpaca, but type 'alpaca' reads one file"))
        #expect(project.errors("stages:\n  tok: {kind: tokenize, datasets: [{path: data/alpaca, type: completion}]}\n") == ["loaded"])
        #expect(mkfifo(project.root.appendingPathComponent("pipelines/data/pipe.txt").path, 0o644) == 0)
        let fifo = project.errors("stages:\n  tok: {kind: tokenize, datasets: [{path: data/pipe.txt}]}\n")
        #expect(fifo.count == 1 && fifo[0].contains("is a FIFO (named pipe), not a regular file"))
    }

    @Test("a FIFO or /dev/zero link named config.json or tokenizer.json never blocks validate")
    func specialModelFilesDoNotBlockValidate() throws {
        let project = try TestProject()
        let hf = project.root.appendingPathComponent("pipelines/hf")
        try FileManager.default.removeItem(at: hf.appendingPathComponent("config.json"))
        #expect(mkfifo(hf.appendingPathComponent("config.json").path, 0o644) == 0)
        try FileManager.default.createSymbolicLink(atPath: hf.appendingPathComponent("tokenizer.json").path, withDestinationPath: "/dev/zero")
        let start = ContinuousClock.now
        _ = project.errors("stages:\n  base: {kind: pretrain-continue, from: ./hf, datasets: [{path: data/a.txt}], max_steps: 1}\n")
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test("unfrozen_parameters patterns that can backtrack exponentially are refused; ordinary selectors pass")
    func catastrophicPatternsAreRefused() throws {
        for bad in ["(a+)+$", "(h\\.[0-9]+)*x", "(a|aa)+", "((ab)*c)*", "(x+x+)+y", "(\\w+\\s?){2,}", "(a)\\1"] {
            #expect(PatternSafety.problem(in: bad) != nil, "\(bad) passed")
        }
        for good in ["^lm_head.weight$", "h\\.[0-9]+\\.mlp", "(q|k|v)_proj", "transformer\\.h\\.(10|11)\\..*", "[(+)]+", "(ab){3}", "a?b*c+"] {
            #expect(PatternSafety.problem(in: good) == nil, "\(good) was refused")
        }
        let errors = try TestProject().errors("""
            stages:
              base: {kind: pretrain-continue, from: ./hf, datasets: [{path: data/a.txt}], max_steps: 1, unfrozen_parameters: ["(a+)+$"]}
            """)
        #expect(errors.contains { $0.contains("'unfrozen_parameters[0]'") && $0.contains("nested quantifier") })
    }

    @Test("a 3 MB token in a recipe is echoed cut to 80 characters with a count")
    func hugeTokenIsClipped() throws {
        let token = String(repeating: "k", count: 3_000_000)
        let start = ContinuousClock.now
        let errors = try TestProject().errors("stages:\n  tok: {kind: \(token), datasets: [{path: data/a.txt}]}\n")
        #expect(!errors.isEmpty)
        #expect(errors.allSatisfy { $0.count < 2_000 })
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(errors.contains { $0.contains("… (3000002 characters)") }, "\(errors.map { String($0.prefix(300)) })")
    }

    @Test("a long string aliased thousands of times is refused by the expanded-text budget, before keys are built")
    func aliasedLongStringIsBounded() throws {
        let long = String(repeating: "w", count: 1_000_000)
        var yaml = "x: &big \"\(long)\"\nstages:\n"
        for i in 0..<40 { yaml += "  s\(i): {kind: tokenize, datasets: [{path: data/a.txt}], special_tokens: [*big]}\n" }
        let start = ContinuousClock.now
        let errors = try TestProject().errors(yaml)
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(errors == ["1:1: the recipe expands to more than 32 MiB of text through anchors and aliases "
            + "(a long value aliased many times?). Alias fewer copies of long values."])
    }

    @Test("a 2 GB recipe file is refused by its size before a byte of it is read")
    func hugeRecipeFileIsRefusedBeforeReading() throws {
        let project = try TestProject()
        _ = FileManager.default.createFile(atPath: project.recipeURL.path, contents: nil)
        let handle = try FileHandle(forWritingTo: project.recipeURL)
        try handle.truncate(atOffset: 2 << 30)  // sparse: 2 GiB of NULs, no disk used
        try handle.close()
        let start = ContinuousClock.now
        #expect(throws: RecipeError.self) { try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: project.recipeURL) }
        do { _ = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: project.recipeURL) } catch {
            #expect(error.diagnostics.first?.message.contains("the recipe is 2097152 KiB; the limit is 4096 KiB") == true)
        }
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test("a config.json with n_positions 0 is named as the problem, not 'lower sequence_len to 0 or less'")
    func zeroPositionsBlamesTheConfig() throws {
        let project = try TestProject()
        try Data(#"{"n_positions": 0, "vocab_size": 300}"#.utf8).write(to: project.root.appendingPathComponent("pipelines/hf/config.json"))
        let errors = project.errors("stages:\n  base: {kind: pretrain-continue, from: ./hf, datasets: [{path: data/a.txt}], max_steps: 1, sequence_len: 16}\n")
        #expect(errors.count == 1)
        #expect(errors[0].contains("has 'n_positions' 0 (pipelines/hf/config.json); a model needs at least 1 position"), "\(errors)")
        #expect(!errors[0].contains("or less"))
    }

    @Test("the base model an adapter folder names is an input of the stage, so its files are in the key")
    func adapterBaseIsAnInput() throws {
        let project = try TestProject()
        let adapter = project.root.appendingPathComponent("pipelines/ad")
        try FileManager.default.createDirectory(at: adapter, withIntermediateDirectories: true)
        try Data(#"{"peft_type": "LORA", "base_model_name_or_path": "pipelines/hf"}"#.utf8).write(to: adapter.appendingPathComponent("adapter_config.json"))
        let loaded = try project.recipe("stages:\n  ev: {kind: evaluate, models: [./ad], test_datasets: [{path: data/a.txt}]}\n")
        #expect(loaded.recipe.stage(named: "ev")?.inputs.contains("pipelines/hf") == true, "\(loaded.recipe.stage(named: "ev")?.inputs ?? [])")
        #expect(loaded.recipe.stage(named: "ev")?.inputs.contains("pipelines/ad") == true)
    }
}
