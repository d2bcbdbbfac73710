import ArgumentParser
import JSONText
import Orchestration
import Recipes
import Stages

extension Lathe {
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a JSON Schema: recipe (default), lock, manifest or metrics (an evaluate stage's metrics.json).",
            discussion: """
                The files in schemas/ are these outputs; a test keeps them equal.

                Examples:
                  lathe schema > schemas/recipe.schema.json
                  lathe schema lock > schemas/lock.schema.json
                  lathe schema metrics > schemas/metrics.schema.json
                """)

        enum Which: String, ExpressibleByArgument, CaseIterable { case recipe, lock, manifest, metrics }

        @Argument(help: "recipe, lock, manifest or metrics.")
        var which: Which = .recipe

        func run() {
            switch which {
            case .recipe: print(RecipeSchema.json(), terminator: "")
            case .lock: print(RecordSchemas.lock().rendered(), terminator: "")
            case .manifest: print(RecordSchemas.manifest().rendered(), terminator: "")
            case .metrics: print(EvaluationTable.schema().rendered(), terminator: "")
            }
        }
    }
}
