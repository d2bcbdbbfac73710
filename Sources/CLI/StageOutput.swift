import ArgumentParser
import Datasets
import Foundation
import Orchestration
import Recipes
import Stages
import Tokenization
import Files

/// The published output folder of a recipe's stage (it must have run).
enum StageOutput {
    static func directory(recipe: String, stage: String, store: String? = nil) throws -> URL {
        var options = try RecipeOptions.parse([recipe])
        options.store = store
        let ws = try Workspace.open(options, quiet: true)
        try ws.checkStageNames([stage])
        let lock = try ws.readLock()
        guard let entry = lock.stages[stage], case .present = ws.store.state(of: entry.key) else {
            printError("lathe: stage '\(stage)' has no result yet. Run `lathe run \(recipe) --until \(stage)` first.")
            throw LatheExit.stageFailed
        }
        return ws.store.outputDirectory(entry.key)
    }
}
