import Orchestration
import Recipes

/// One stage kind's translation from recipe params to engine calls. It does no math itself.
///
/// Contract: see ``StageRunner`` — deterministic, writes only into `context.outputDirectory`
/// (and `context.resumeDirectory`), reports through `context.report`, honours cancellation.
protocol StageAdapter: Sendable {
    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome
}
