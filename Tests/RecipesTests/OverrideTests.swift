import Datasets
import Foundation
import Testing
@testable import Recipes

@Suite struct OverrideTests {
    @Test func overridesAreTypedLikeTheFile() throws {
        let project = try TestProject()
        let loaded = try project.recipe(designRecipe, overrides: [
            "stages.lora.lora_r=16",
            "stages.lora.lora_target_modules=[c_attn,c_proj]",
            "stages.base.model.n_layer=2",
            "stages.base.learning_rate=1e-5",
            "defaults.micro_batch_size=2",
            "seed=7",
            "name=clinic-b",
        ])
        let recipe = loaded.recipe
        #expect(recipe.seed == 7 && recipe.name == "clinic-b")
        guard case .adapters(let lora)? = recipe.stage(named: "lora")?.params else { Issue.record("no lora"); return }
        #expect(lora.loraR == 16 && lora.loraTargetModules == ["c_attn", "c_proj"])
        #expect(lora.microBatchSize == 2 && lora.seed == 7)
        let base = try #require(recipe.stage(named: "base")?.params.training)
        #expect(base.model?.nLayer == 2 && base.model?.nHead == 4)   // sibling keys of 'model' survive
        #expect(base.learningRate == 1e-5)
        #expect(recipe.stage(named: "base")?.canonicalParams["model.n_layer"] == "2")
    }

    @Test func aListItemIsOverriddenByIndex() throws {
        let project = try TestProject()
        let yaml = """
            stages:
              a: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}, {path: data/b.jsonl, type: alpaca}]}
            """
        let loaded = try project.recipe(yaml, overrides: ["stages.a.datasets[1].type=dolly", "stages.a.datasets[0]={path: data/b.jsonl}"])
        let datasets = try #require(loaded.recipe.stage(named: "a")?.params.training?.datasets)
        #expect(datasets.map(\.path) == ["pipelines/data/b.jsonl", "pipelines/data/b.jsonl"])
        #expect(datasets.map(\.type) == [.completion, .dolly])
        #expect(project.errors(yaml, overrides: ["stages.a.datasets[2].path=data/a.txt"]) == [
            "--set stages.a.datasets[2].path=data/a.txt: 'datasets' has 2 item(s), so 'datasets[2]' does not exist. Indices start at 0."])
        #expect(project.errors(yaml, overrides: ["stages.a.learning_rate[0]=1"]) == [
            "--set stages.a.learning_rate[0]=1: 'learning_rate' is not a list in the recipe, so 'learning_rate[0]' cannot be set. "
                + "Override the whole list: learning_rate='[…]'."])
    }

    @Test func overrideThroughAnAliasReplacesTheCanonicalKeyAndWarns() throws {
        let project = try TestProject()
        let yaml = "stages:\n  a: {kind: instruct, from: ./hf, learning_rate: 1e-3, datasets: [{path: data/a.txt}]}\n"
        let loaded = try project.recipe(yaml, overrides: ["stages.a.lr=2e-4"])
        #expect(loaded.recipe.stage(named: "a")?.params.training?.learningRate == 2e-4)
        #expect(loaded.warnings.map(\.description) == [
            "--set stages.a.lr=2e-4: warning: 'lr' is the torchtune spelling; use 'learning_rate'."])
    }

    @Test func overrideChangesCanonicalParamsLikeAnEdit() throws {
        let project = try TestProject()
        let edited = designRecipe.replacingOccurrences(of: "lora_r: 8", with: "lora_r: 16")
        let viaOverride = try project.recipe(designRecipe, overrides: ["stages.lora.lora_r=16"]).recipe
        let viaEdit = try project.recipe(edited).recipe
        let original = try project.recipe(designRecipe).recipe
        #expect(viaOverride.stage(named: "lora")?.canonicalParams == viaEdit.stage(named: "lora")?.canonicalParams)
        #expect(viaOverride.stage(named: "lora")?.canonicalParams != original.stage(named: "lora")?.canonicalParams)
    }

    @Test func overrideErrorsAndFileErrorsAreAllReported() throws {
        let project = try TestProject()
        let yaml = "stages:\n  a: {kind: instruct, from: ./hf, max_steps: x, datasets: [{path: data/a.txt}]}\n"
        #expect(project.errors(yaml, overrides: ["stages.a.lora_dropout=0.1", "stages.b.x=1"]) == [
            "2:46: 'max_steps' in stage 'a' must be an integer, got 'x'.",
            "--set stages.a.lora_dropout=0.1: 'lora_dropout' is not a key of an 'instruct' stage; it belongs to "
                + "'attach-adapters', 'classify'. Remove it or change 'kind'.",
            "--set stages.b.x=1: no stage 'b'. Did you mean 'a'?",
        ])
    }
}
