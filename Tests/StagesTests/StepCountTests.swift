import Foundation
import Modeling
import Recipes
@testable import Stages
import Testing
import TestSupport

/// How many optimizer steps `num_epochs` and `warmup_ratio` become (issue 22 #7, #9): an epoch is a pass
/// over the training rows, so replay slots do not count toward it, and a warm-up ratio rounds up as HF's.
@Suite struct StepCountTests {
    static func params(_ stageKeys: String) throws -> TrainingParams {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", "some text\n")
        p.write("pipelines/data/g.txt", "general text\n")
        let yaml = """
            name: steps
            stages:
              tok: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300}
              base: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 16}, datasets: [{path: data/a.txt}]}
              tuned: {kind: domain-adapt, from: base, datasets: [{path: data/a.txt}], \(stageKeys)}
            """
        let url = p.root.appendingPathComponent("pipelines/steps.yaml")
        let recipe = try RecipeLoader(projectRoot: p.root, modelFolders: ModelFolderPreflight()).load(yaml: yaml, url: url).recipe
        return try #require(recipe.stage(named: "tuned")?.params.training)
    }

    @Test("With replay at ratio 0.5, one epoch of 8 rows at 4 rows a step takes 4 steps, not 2")
    func replaySlotsDoNotCountTowardAnEpoch() throws {
        let replayed = try Self.params("micro_batch_size: 4, num_epochs: 1, replay: {datasets: [{path: data/g.txt}], ratio: 0.5}")
        #expect(TrainingRun.hyperparameters(replayed, trainRows: 8).maxSteps == 4)
        let plain = try Self.params("micro_batch_size: 4, num_epochs: 1")
        #expect(TrainingRun.hyperparameters(plain, trainRows: 8).maxSteps == 2)
    }

    @Test("A warm-up ratio rounds up (0.1 of 25 steps is 3), and the constant schedule has none")
    func warmupRatioRoundsUp() throws {
        let ratio = try Self.params("max_steps: 25, warmup_ratio: 0.1")
        #expect(TrainingRun.hyperparameters(ratio, trainRows: 8).warmupSteps == 3)
        let constant = try Self.params("max_steps: 25, lr_scheduler: constant")
        #expect(TrainingRun.hyperparameters(constant, trainRows: 8).warmupSteps == 0)
    }
}
