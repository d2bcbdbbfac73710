import Compute
import Foundation
public import Orchestration
public import Recipes

/// Dispatches each stage to the adapter of its kind: the ``StageRunner`` the CLI hands the executor.
///
/// The registry holds the loaded recipe so adapters receive typed params, not strings.
public struct StageRegistry: StageRunner {
    public let recipe: Recipe

    public init(recipe: Recipe) { self.recipe = recipe }

    public func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        guard let stage = recipe.stage(named: spec.name) else {
            throw StageError.unknownStage(spec.name)
        }
        let adapter = StageRegistry.adapter(for: stage.kind)
        var outcome = try adapter.run(stage, recipe: recipe, context: context)
        // On the thread the adapter ran on, so `threads` is the count it set.
        outcome.machine = BLASCore.machine().merging(["threads": String(ComputeThreads.configured)]) { $1 }
        return outcome
    }

    /// The adapter for a kind.
    static func adapter(for kind: StageKind) -> any StageAdapter {
        switch kind {
        case .tokenize: return TokenizeStage()
        case .pretrainContinue, .domainAdapt, .instruct: return TrainingStage()
        case .attachAdapters: return AdapterStage()
        case .evaluate: return EvaluateStage()
        case .classify: return ClassifyStage()
        }
    }
}
