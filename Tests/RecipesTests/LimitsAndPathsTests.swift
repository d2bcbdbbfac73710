import Foundation
import Testing
@testable import Recipes

@Suite struct LimitsAndPathsTests {
    @Test func aliasBombFailsQuicklyWithBoundedWork() throws {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(refs)]\n"
        }
        yaml += "stages: {s: {kind: tokenize, datasets: *a9}}\n"
        let project = try TestProject()
        let start = ContinuousClock.now
        let errors = project.errors(yaml)
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(errors == ["1:1: the recipe expands to more than 1000000 values through anchors and aliases "
            + "(an alias bomb?). Reduce the nesting of '*' aliases."])
    }

    @Test func tooManyStagesIsAnError() throws {
        var yaml = "stages:\n"
        for index in 0...RecipeLoader.maxStages { yaml += "  s\(index): {}\n" }
        #expect(try TestProject().errors(yaml) == ["2:3: the recipe declares 10001 stages; the limit is 10000. "
            + "Split it into several recipes."])
    }

    @Test func symbolicLinkOutOfTheRootIsRejected() throws {
        let project = try TestProject()
        try FileManager.default.createSymbolicLink(
            at: project.root.appendingPathComponent("pipelines/data/link.txt"),
            withDestinationURL: project.base.appendingPathComponent("outside/secret.txt"))
        let yaml = "stages:\n  tok: {kind: tokenize, datasets: [{path: data/link.txt}]}\n"
        #expect(project.errors(yaml) == ["2:43: path 'data/link.txt' (resolved to pipelines/data/link.txt) is a "
            + "symbolic link to a place outside the project root. Copy the data into the project."])
    }

    @Test func symbolicLinkInsideTheRootIsFine() throws {
        let project = try TestProject()
        try FileManager.default.createSymbolicLink(
            at: project.root.appendingPathComponent("pipelines/data/alias.txt"),
            withDestinationURL: project.root.appendingPathComponent("pipelines/data/a.txt"))
        let yaml = "stages:\n  tok: {kind: tokenize, datasets: [{path: data/alias.txt}]}\n"
        let stage = try #require(try project.recipe(yaml).recipe.stage(named: "tok"))
        #expect(stage.inputs == ["pipelines/data/alias.txt"])
    }

    @Test func pathsAreRootRelativeAndDirectoriesAreInputs() throws {
        let project = try TestProject()
        let yaml = """
            stages:
              tok: {kind: tokenize, from: ./tokdir, datasets: [{path: ./data/../data/a.txt}]}
              base: {kind: pretrain-continue, from: scratch, tokenizer: tokdir/, model: {n_layer: 1},
                     datasets: [{path: data/b.jsonl, type: alpaca}]}
              lora: {kind: attach-adapters, from: base, lora_model_dir: ./hf, datasets: [{path: data/a.txt}]}
            """
        let recipe = try project.recipe(yaml).recipe
        #expect(recipe.stage(named: "tok")?.inputs == ["pipelines/data/a.txt", "pipelines/tokdir"])
        guard case .tokenize(let tok)? = recipe.stage(named: "tok")?.params else { Issue.record("tok"); return }
        #expect(tok.from == .path("pipelines/tokdir"))
        #expect(recipe.stage(named: "base")?.params.training?.tokenizer == .path("pipelines/tokdir"))
        #expect(recipe.stage(named: "base")?.upstream == [])
        #expect(recipe.stage(named: "lora")?.inputs == ["pipelines/data/a.txt", "pipelines/hf"])
        #expect(recipe.stage(named: "lora")?.upstream == ["base"])
    }

    @Test func thousandStagesLoadFast() throws {
        let project = try TestProject()
        var yaml = "defaults: {learning_rate: 1e-4, micro_batch_size: 2}\nstages:\n"
        yaml += "  tok: {kind: tokenize, datasets: [{path: data/a.txt}]}\n"
        yaml += "  s0: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 1}, datasets: [{path: data/a.txt}]}\n"
        for index in 1..<1000 {
            yaml += "  s\(index): {kind: instruct, from: s\(index - 1), datasets: [{path: data/a.txt}], max_steps: \(index)}\n"
        }
        _ = try project.recipe(yaml)  // warm up: first-use costs (regex compilation, table building)
        let start = ContinuousClock.now
        let recipe = try project.recipe(yaml).recipe
        let elapsed = ContinuousClock.now - start
        print("1,001-stage recipe loaded and validated in \(elapsed)")
        #expect(recipe.stages.count == 1001)
        #expect(recipe.stage(named: "s999")?.upstream == ["s998"])
        // Debug build on a shared 2-core machine; release is far below this (see the report).
        #expect(elapsed < .seconds(5))
    }
}
