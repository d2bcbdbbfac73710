import Datasets
import Foundation
import Testing
@testable import Recipes
import Stages

@Suite struct LoaderTests {
    @Test func designExampleLoadsWithTypedParams() throws {
        let project = try TestProject()
        let loaded = try project.recipe(designRecipe)
        let recipe = loaded.recipe
        #expect(recipe.name == "clinic")
        #expect(recipe.seed == 1234)
        #expect(recipe.stages.map(\.name) == ["tok", "base", "clinic", "assistant", "lora", "report"])
        #expect(loaded.warnings.isEmpty)

        let base = try #require(recipe.stage(named: "base"))
        #expect(base.kind == .pretrainContinue)
        #expect(base.line == 7 && base.column == 3)
        guard case .training(let training) = base.params else { Issue.record("base is not training"); return }
        #expect(training.from == .scratch)
        #expect(training.tokenizer == .stage("tok"))
        #expect(training.model?.nLayer == 4 && training.model?.nPositions == 128 && training.model?.vocabSize == nil)
        #expect(training.learningRate == 3.0e-3)
        #expect(training.maxSteps == 1500)
        #expect(training.sequenceLen == 128)           // from defaults
        #expect(training.microBatchSize == 16)         // from defaults
        #expect(training.warmupSteps == 20)            // from defaults
        #expect(training.seed == 1234)                 // the recipe's seed
        #expect(training.datasets == [Recipes.DatasetSpec(path: "pipelines/data/a.txt", type: .completion, field: nil,
                                                  splitDocuments: .line)])
        #expect(base.upstream == ["tok"])
        #expect(base.inputs == ["pipelines/data/a.txt"])

        let clinic = try #require(recipe.stage(named: "clinic"))
        #expect(clinic.params.training?.replay?.ratio == 0.1)
        #expect(clinic.upstream == ["base"])

        let lora = try #require(recipe.stage(named: "lora"))
        guard case .adapters(let adapter) = lora.params else { Issue.record("lora is not adapters"); return }
        #expect(adapter.loraR == 8 && adapter.loraAlpha == 16 && adapter.loraTargetModules == ["c_attn"])
        #expect(adapter.learningRate == 3e-4)          // built-in default, read through the training keys

        let report = try #require(recipe.stage(named: "report"))
        guard case .evaluate(let evaluate) = report.params else { Issue.record("report is not evaluate"); return }
        #expect(evaluate.models == [.stage("base"), .stage("clinic"), .stage("assistant"), .stage("lora")])
        #expect(evaluate.testDatasets.map(\.role) == [.inDomain, .forgetting, .inDomain])
        #expect(evaluate.testDatasets[2].metrics == [.exactMatch])
        #expect(report.upstream == ["assistant", "base", "clinic", "lora"])
        #expect(report.inputs == ["pipelines/data/a.txt", "pipelines/data/b.jsonl"])
        // defaults only reach kinds that accept the key
        #expect(report.canonicalParams["micro_batch_size"] == nil)
        #expect(recipe.stage(named: "tok")?.canonicalParams["sequence_len"] == nil)
    }

    @Test(arguments: ["1e-5", "1.0e-5", "\"1e-5\"", "0.00001", "'1e-05'"])
    func scientificNotationIsANumber(_ text: String) throws {
        let project = try TestProject()
        let yaml = "stages:\n  s: {kind: instruct, from: ./hf, learning_rate: \(text), datasets: [{path: data/a.txt}]}\n"
        let stage = try #require(try project.recipe(yaml).recipe.stage(named: "s"))
        #expect(stage.params.training?.learningRate == 1e-5)
        #expect(stage.canonicalParams["learning_rate"] == "1e-05")
    }

    @Test func stageOwnValueBeatsDefaultsAndExclusivePartnersAreNotMerged() throws {
        let project = try TestProject()
        let yaml = """
            defaults: {learning_rate: 1e-3, warmup_steps: 5, val_set_size: 0.1}
            stages:
              a: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}
              b: {kind: instruct, from: ./hf, learning_rate: 2e-4, warmup_ratio: 0.1,
                  test_datasets: [{path: data/a.txt}], datasets: [{path: data/a.txt}]}
            """
        let recipe = try project.recipe(yaml).recipe
        let a = try #require(recipe.stage(named: "a")?.params.training)
        let b = try #require(recipe.stage(named: "b")?.params.training)
        #expect(a.learningRate == 1e-3 && a.warmupSteps == 5 && a.warmupRatio == nil && a.valSetSize == 0.1)
        #expect(b.learningRate == 2e-4 && b.warmupSteps == nil && b.warmupRatio == 0.1 && b.valSetSize == 0)
    }

    @Test func aliasesAreNormalisedWithOneWarningEach() throws {
        let project = try TestProject()
        let yaml = """
            defaults: {batch_size: 4}
            stages:
              a:
                kind: attach-adapters
                from: ./hf
                lr: 1e-4
                r: 4
                lora_target: c_attn,c_proj
                merge: true
                datasets: [{path: data/a.txt}]
              b: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}
            """
        let loaded = try project.recipe(yaml)
        #expect(loaded.warnings.map(\.located) == [
            "1:12: warning: 'batch_size' is the torchtune/mlx-lm spelling; use 'micro_batch_size'.",
            "6:5: warning: 'lr' is the torchtune spelling; use 'learning_rate'.",
            "7:5: warning: 'r' is the PEFT spelling; use 'lora_r'.",
            "8:5: warning: 'lora_target' is the LLaMA-Factory spelling; use 'lora_target_modules'.",
            "9:5: warning: 'merge' is the shorthand spelling; use 'merge_lora'.",
        ])
        guard case .adapters(let params)? = loaded.recipe.stage(named: "a")?.params else {
            Issue.record("a is not an adapter stage"); return
        }
        #expect(params.learningRate == 1e-4 && params.loraR == 4 && params.loraAlpha == 8 && params.mergeLora)
        #expect(params.loraTargetModules == ["c_attn", "c_proj"])
        #expect(params.microBatchSize == 4)
        #expect(loaded.recipe.stage(named: "b")?.params.training?.microBatchSize == 4)
        let canonical = try #require(loaded.recipe.stage(named: "a")?.canonicalParams)
        #expect(canonical["learning_rate"] == "0.0001" && canonical["lr"] == nil && canonical["lora_r"] == "4")
    }

    @Test func anchorsAndMergeKeysResolve() throws {
        let project = try TestProject()
        let yaml = """
            x-common: &common
              kind: instruct
              from: ./hf
              datasets: [{path: data/a.txt}]
            stages:
              a:
                <<: *common
                learning_rate: 5e-4
              b: *common
            """
        // 'x-common' is not a recipe key: the anchor must live inside a known key, so use defaults instead.
        #expect(project.errors(yaml) == ["1:1: unknown top-level key 'x-common'. Valid top-level keys: name, seed, defaults, stages, remote, executor, slurm."])
        let fixed = """
            stages:
              a: &common
                kind: instruct
                from: ./hf
                datasets: [{path: data/a.txt}]
              b:
                <<: *common
                learning_rate: 5e-4
            """
        let recipe = try project.recipe(fixed).recipe
        #expect(recipe.stage(named: "b")?.params.training?.learningRate == 5e-4)
        #expect(recipe.stage(named: "b")?.params.training?.datasets.first?.path == "pipelines/data/a.txt")
    }

    @Test func duplicateKeysDoNotHideOtherErrors() throws {
        let project = try TestProject()
        let yaml = """
            stages:
              a: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}
              a: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}
              b: {kind: instruct, from: ./hf, learning_rate: fast, datasets: [{path: data/a.txt}]}
            """
        #expect(project.errors(yaml) == [
            "3:3: duplicate stage name 'a' (first at line 2). Rename one of the two stages.",
            "4:50: 'learning_rate' in stage 'b' must be a number, got 'fast'.",
        ])
    }

    @Test func repeatedKeysAreFoundInBlockListsAndThreeTimesOver() throws {
        let project = try TestProject()
        let yaml = """
            stages:
              a:
                kind: instruct
                from: ./hf
                datasets:
                  - path: data/a.txt
                    path: data/b.jsonl
                max_steps: 1
                max_steps: 2
                max_steps: 3
            """
        #expect(project.errors(yaml) == [
            "7:9: duplicate key 'path' in 'datasets[0]' of stage 'a' (first at line 6). Keep one of them.",
            "9:5: duplicate key 'max_steps' in stage 'a' (first at line 8). Keep one of them.",
            "10:5: duplicate key 'max_steps' in stage 'a' (first at line 8). Keep one of them.",
        ])
    }

    @Test func threeErrorsAreReportedTogetherInFileOrder() throws {
        let project = try TestProject()
        let yaml = """
            stages:
              a:
                kind: instruct
                from: ./hf
                lernig_rate: 1e-4
                datasets: [{path: data/missing.txt}]
              b: {kind: evaluate, models: [aa], test_datasets: [{path: data/a.txt}]}
            """
        #expect(project.errors(yaml) == [
            "5:5: unknown key 'lernig_rate' in stage 'a'. Did you mean 'learning_rate'?",
            "6:23: dataset 'data/missing.txt' does not exist (resolved to pipelines/data/missing.txt). "
                + "Check the path; paths are relative to the recipe file.",
            "7:32: stage 'b' evaluates 'aa', which is not a stage in this recipe. Did you mean 'a'?",
        ])
    }

    @Test func loadsFromAFileAndReportsItsPath() throws {
        let project = try TestProject()
        try Data("stages: {a: {kind: tokenize, datasets: [{path: data/nope.txt}]}}\n".utf8).write(to: project.recipeURL)
        do {
            _ = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: project.recipeURL)
            Issue.record("expected an error")
        } catch {
            let path = project.recipeURL.standardizedFileURL.path
            #expect(error.description == "\(path):1:48: dataset 'data/nope.txt' does not exist "
                + "(resolved to pipelines/data/nope.txt). Check the path; paths are relative to the recipe file.")
        }
    }
}
