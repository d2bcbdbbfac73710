import Foundation
import Orchestration

/// The store entries a recipe's current stage keys name (what `lathe run` would reuse now), found by
/// planning without side effects — so a result made before the recipe changed is not mistaken for the
/// current one.
struct StageResults {
    /// Published output folder of every stage whose current result is in the store, by stage name.
    let outputs: [String: URL]

    static func current(_ ws: Workspace) throws -> StageResults {
        var outputs: [String: URL] = [:]
        for planned in try ws.plan(.all) {
            if planned.record != nil, let key = planned.key { outputs[planned.name] = ws.store.outputDirectory(key) }
        }
        return StageResults(outputs: outputs)
    }

    /// The output folder of `stage`, or a message and exit status 1 when it has not run with the
    /// recipe as it is now.
    func require(_ stage: String, recipe: RecipeOptions) throws -> URL {
        guard let dir = outputs[stage] else {
            let command = (["lathe", "run", recipe.recipe] + recipe.overrides.flatMap { ["--set", $0] }).joined(separator: " ")
            printError("lathe: stage '\(stage)' has no result in the store; run `\(command)` first.")
            throw LatheExit.stageFailed
        }
        return dir
    }
}
