import Foundation
import Orchestration
import Recipes
import Stages
import Testing
import TestSupport

/// Recipe edits that must not change any key, and ones that must — through the real loader,
/// the StageSpec conversion and the executor (with a recording runner, no engine).
@Suite struct RecipeKeyStabilityTests {
    static let original = """
        name: demo
        seed: 7
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 16}
            datasets: [{path: data/a.txt, type: completion}]
            learning_rate: 3e-4
            max_steps: 2
          ft: {kind: instruct, from: base, datasets: [{path: data/qa.jsonl, type: alpaca}], learning_rate: 1e-4, max_steps: 2}
        """

    /// Renamed stages, reordered keys and stages, comments, an anchor, `0.0003` for `3e-4`.
    static let cosmetic = """
        # the same recipe, written differently
        name: demo
        seed: 7
        stages:
          vocab: {vocab_size: 300, kind: tokenize, datasets: [&data {path: data/a.txt, type: completion}]}
          finetune: {max_steps: 2, learning_rate: 0.0001, datasets: [{type: alpaca, path: data/qa.jsonl}], from: foundation, kind: instruct}
          foundation:
            max_steps: 2          # steps
            learning_rate: 0.0003
            datasets: [*data]
            model: {n_positions: 16, n_embd: 8, n_head: 1, n_layer: 1}
            tokenizer: vocab
            from: scratch
            kind: pretrain-continue
        """

    func run(_ yaml: String, in project: TemporaryProject, runner: RecordingStageRunner) throws -> Executor.Summary {
        let url = project.write("pipelines/demo.yaml", yaml)
        let recipe = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: url).recipe
        let graph = try PipelineGraph(StageSpecs.make(from: recipe))
        return try Executor(graph: graph, store: ArtifactStore(root: project.store), projectRoot: project.root,
                            lockURL: LockFile.url(forRecipe: url), recipeName: recipe.name, runner: runner)
            .run(options: .init()) { _ in }
    }

    func project() -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", "some text\n")
        p.write("pipelines/data/qa.jsonl", "{\"instruction\": \"q\", \"input\": \"\", \"output\": \"a\"}\n")
        return p
    }

    @Test func renamingReorderingCommentsAndAnchorsChangeNoKey() throws {
        let p = project()
        let runner = RecordingStageRunner()
        let first = try run(RecipeKeyStabilityTests.original, in: p, runner: runner)
        #expect(first.executed.count == 3)
        runner.reset()
        let second = try run(RecipeKeyStabilityTests.cosmetic, in: p, runner: runner)
        #expect(runner.totalExecutions == 0)
        #expect(Set(second.restored) == ["vocab", "foundation", "finetune"])
    }

    @Test func changingALearningRateRerunsThatStageAndItsDownstreamOnly() throws {
        let p = project()
        let runner = RecordingStageRunner()
        _ = try run(RecipeKeyStabilityTests.original, in: p, runner: runner)
        runner.reset()
        let edited = RecipeKeyStabilityTests.original.replacingOccurrences(of: "learning_rate: 3e-4", with: "learning_rate: 1e-4")
        let summary = try run(edited, in: p, runner: runner)
        #expect(Set(summary.executed) == ["base", "ft"])
        #expect(summary.upToDate == ["tok"])
    }

    @Test func stageReferencesAreMarkedSoKeysUseUpstreamOutputs() throws {
        let p = project()
        let url = p.write("pipelines/demo.yaml", RecipeKeyStabilityTests.original)
        let recipe = try RecipeLoader(projectRoot: p.root, modelFolders: ModelFolderPreflight()).load(recipeAt: url).recipe
        let specs = StageSpecs.make(from: recipe)
        let base = try #require(specs.first { $0.name == "base" })
        #expect(base.params["tokenizer"] == "tok")
        #expect(base.referenceKeys == ["tokenizer"])
        #expect(base.upstream == ["tok"])
        #expect(base.inputs == ["pipelines/data/a.txt"])
        let ft = try #require(specs.first { $0.name == "ft" })
        #expect(ft.params["from"] == "base")
        #expect(ft.referenceKeys.contains("from"))
    }
}
