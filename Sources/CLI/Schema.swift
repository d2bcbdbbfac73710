import ArgumentParser
import Orchestration
import Recipes

extension Lathe {
    struct Schema: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a JSON Schema: recipe (default), lock or manifest.",
            discussion: """
                The files in schemas/ are these outputs; a test keeps them equal.

                Examples:
                  lathe schema > schemas/recipe.schema.json
                  lathe schema lock > schemas/lock.schema.json
                """)

        enum Which: String, ExpressibleByArgument, CaseIterable { case recipe, lock, manifest }

        @Argument(help: "recipe, lock or manifest.")
        var which: Which = .recipe

        func run() {
            switch which {
            case .recipe: print(RecipeSchema.json(), terminator: "")
            case .lock: print(RecordSchemas.lock().rendered(), terminator: "")
            case .manifest: print(RecordSchemas.manifest().rendered(), terminator: "")
            }
        }
    }
}
