import ArgumentParser
import Compute
import Foundation
import Modeling
import Recipes
import Stages
import Tokenization

extension Lathe {
    struct Classify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a classify stage's label probabilities for texts.",
            discussion: """
                Runs each --text through the stage's current classifier in the store (the model the recipe \
                names now) and prints one line per text: every label with its probability, most probable \
                first, as `label<TAB>probability`, then a blank line. Texts longer than the model's \
                positions keep their first tokens, as training does.

                Exit status: 1 when the stage has not run with the recipe as it is now; 64 when the stage is \
                not a classify stage.

                Examples:
                  lathe classify pipelines/demo.yaml transferred --text "The blade dulled after a week."
                  lathe classify pipelines/demo.yaml transferred --text "Great value" --text "Awful"
                """)

        @OptionGroup var recipe: RecipeOptions
        @Argument(help: "A classify stage of the recipe.") var stage: String
        @Option(help: "Text to classify (repeatable).") var text: [String]
        @Option(help: "CPU threads (default: $LATHE_THREADS, else every core).") var threads: Int?

        func validate() throws {
            guard !text.isEmpty else { throw ValidationError("give at least one --text.") }
            if text.contains(where: { $0.allSatisfy(\.isWhitespace) }) { throw ValidationError("--text must not be empty.") }
        }

        func run() throws {
            let ws = try Workspace.open(recipe, quiet: true)
            try ws.checkStageNames([stage])
            let kind = ws.recipe.stage(named: stage)!.kind
            guard kind == .classify else {
                printError("lathe: stage '\(stage)' is \(kind.aStage), not a classifier; name a classify stage (or use `lathe sample` for text).")
                throw LatheExit.usage
            }
            let results = try StageResults.current(ws)
            _ = try results.require(stage, recipe: recipe)
            ComputeThreads.set(threads)
            do {
                guard let labels = try EvaluatedModel.classLabels(.stage(stage), outputs: results.outputs, projectRoot: ws.root) else {
                    throw StageError.invalidInput("the stage's output holds no id2label")
                }
                let rows = try EvaluatedModel.classProbabilities(text, ref: .stage(stage), recipe: ws.recipe, outputs: results.outputs,
                                                                 projectRoot: ws.root)
                for row in rows {
                    for i in row.indices.sorted(by: { row[$0] > row[$1] || (row[$0] == row[$1] && $0 < $1) }) {
                        print("\(labels[i])\t\(String(format: "%.4f", row[i]))")
                    }
                    print("")
                }
            } catch {
                printError("lathe: classify with '\(stage)': \(error)")
                throw LatheExit.stageFailed
            }
        }
    }
}
