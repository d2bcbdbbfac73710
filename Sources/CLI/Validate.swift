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
                Classify stages also read their classification data and check its records and labels.

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
                    let dataProblems = Self.checkData(loaded.recipe, root: root)
                    for problem in dataProblems { printError(problem) }
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
    
        /// Reads every dataset of every stage against its `type` (records, fields, roles and turn order),
        /// as training would, and returns one message per dataset that fails. Token shards are left to the
        /// run (they need the tokenizer).
        static func checkData(_ recipe: Recipe, root: URL) -> [String] {
            var problems: [String] = []
            var seen: Set<Recipes.DatasetSpec> = []
            for stage in recipe.stages {
                var sources: [Recipes.DatasetSpec] = []
                switch stage.params {
                case .tokenize(let t): sources = t.datasets
                case .evaluate(let e): sources = e.testDatasets.map(\.source)
                case .training, .adapters:
                    let t = stage.params.training!
                    sources = t.datasets + t.testDatasets + (t.replay?.datasets ?? [])
                case .classify: continue  // read by ClassificationInputs.check, which knows the label set
                }
                for d in sources where d.type != .tokenized && seen.insert(d).inserted {
                    do { _ = try DatasetReader.check(DatasetBridge.spec(d, root: root, maxSamples: nil)) } catch {
                        problems.append("\(error) (stage '\(stage.name)', dataset type \(d.type.rawValue))")
                    }
                }
            }
            return problems
        }
    }
}
