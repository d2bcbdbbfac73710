import ArgumentParser
import Datasets
import Foundation
import Orchestration
import Recipes
import Stages

extension Lathe {
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check recipes without running anything; print every error at once.",
            discussion: """
                Every data file is read against its dataset's `type` (`lathe run` checks each file's first
                records the same way before running anything); classify stages also check their labels.

                Examples:
                  lathe validate pipelines/demo.yaml
                  lathe validate pipelines/*.yaml pipelines/methods/*.yaml
                """)

        @Argument(help: "Recipe files.")
        var recipes: [String]
        @Option(name: .customLong("set"), help: ArgumentHelp("Override a key before validating (repeatable).", valueName: "stages.S.key=value"))
        var overrides: [String] = []

        func run() throws {
            var failed = 0
            for path in recipes {
                let url = URL(fileURLWithPath: path).standardizedFileURL
                let root: URL
                do { root = try ProjectRoot.find(forRecipe: url) } catch {
                    printError("lathe: \(error)")
                    failed += 1
                    continue
                }
                do {
                    let loaded = try RecipeLoader(projectRoot: root, modelFolders: ModelFolderPreflight()).load(recipeAt: url, overrides: overrides)
                    for w in loaded.warnings { printError(w.description) }
                    _ = try PipelineGraph(Stages.StageSpecs.make(from: loaded.recipe))
                    let dataProblems = DatasetPreflight.check(loaded.recipe, root: root, recipePath: path)
                    for problem in dataProblems { printError(problem.description) }
                    guard dataProblems.isEmpty else { failed += 1; continue }
                    // classification data is read and checked here, so a bad record fails before any training
                    var dataErrors = 0
                    for stage in loaded.recipe.stages {
                        guard case .classify(let p) = stage.params else { continue }
                        do {
                            print("\(path): stage '\(stage.name)': \(try ClassificationInputs.check(p, root: root))")
                        } catch {
                            printError("\(path): stage '\(stage.name)': \(error)")
                            dataErrors += 1
                        }
                    }
                    if dataErrors > 0 { failed += 1; continue }
                    print("\(path): ok (\(loaded.recipe.stages.count) stages)")
                } catch let error as RecipeError {
                    for d in error.diagnostics { printError(d.description) }
                    failed += 1
                } catch {
                    printError("\(path): \(error)")
                    failed += 1
                }
            }
            if failed > 0 {
                printError("lathe: \(failed) of \(recipes.count) recipe\(recipes.count == 1 ? "" : "s") invalid.")
                throw LatheExit.usage
            }
        }
    }
}
