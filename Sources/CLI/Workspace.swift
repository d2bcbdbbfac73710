import ArgumentParser
import Foundation
import Orchestration
import Recipes
import Stages

/// A loaded recipe with its project root, store, graph and lock file path.
struct Workspace {
    let recipeURL: URL
    let root: URL
    let store: ArtifactStore
    let recipe: Recipe
    let graph: PipelineGraph
    let lockURL: URL

    /// Loads and validates; prints diagnostics and exits 64 on a recipe error.
    static func open(_ options: RecipeOptions, quiet: Bool = false) throws -> Workspace {
        let url = URL(fileURLWithPath: options.recipe).standardizedFileURL
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            printError("lathe: \(options.recipe): no such recipe file. List recipes with `ls pipelines/`.")
            throw LatheExit.usage
        }
        guard !isFolder.boolValue else {
            let recipes = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? [])
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            let hint = recipes.isEmpty ? "e.g. pipelines/demo.yaml"
                : "one of " + recipes.map { (options.recipe.hasSuffix("/") ? options.recipe : options.recipe + "/") + $0 }.joined(separator: ", ")
            printError("lathe: \(options.recipe) is a folder; lathe wants a recipe file (\(hint)).")
            throw LatheExit.usage
        }
        let root: URL
        do { root = try ProjectRoot.find(forRecipe: url) } catch {
            printError("lathe: \(error)")
            throw LatheExit.usage
        }
        let loaded: LoadedRecipe
        do {
            loaded = try RecipeLoader(projectRoot: root, modelFolders: ModelFolderPreflight()).load(recipeAt: url, overrides: options.overrides)
        } catch {
            for d in error.diagnostics { printError(d.description) }
            let n = error.diagnostics.count
            printError("lathe: \(options.recipe) has \(n) error\(n == 1 ? "" : "s"); nothing was run.")
            throw LatheExit.usage
        }
        if !quiet { for w in loaded.warnings { printError(w.description) } }
        let graph: PipelineGraph
        do { graph = try PipelineGraph(StageSpecs.make(from: loaded.recipe)) } catch {
            printError("lathe: \(options.recipe): \(error)")
            throw LatheExit.usage
        }
        let store = ArtifactStore(root: ProjectRoot.store(root: root, option: options.store))
        return Workspace(recipeURL: url, root: root, store: store, recipe: loaded.recipe, graph: graph,
                         lockURL: LockFile.url(forRecipe: url))
    }

    /// Validates stage names given to --only/--until/--force.
    func checkStageNames(_ names: [String]) throws {
        for name in names where graph[name] == nil {
            let suggestion = Suggestions.closest(to: name, in: graph.names)
            printError("lathe: \(OrchestrationError.unknownStageName(name, suggestion: suggestion)) "
                + "The recipe's stages: \(graph.names.joined(separator: ", ")).")
            throw LatheExit.usage
        }
    }

    func readLock() throws -> LockFile {
        do { return try LockFile.read(from: lockURL, recipe: recipe.name) } catch {
            printError("lathe: \(error)")
            throw LatheExit.usage
        }
    }

    /// Plans without side effects (reads the hash cache, never writes it); an input that cannot be hashed
    /// is printed and ends the command.
    func plan(_ selection: Planner.Selection) throws -> [Planner.PlannedStage] {
        let lock = try readLock()
        do { return try plan(selection, lock: lock) } catch {
            printError("lathe: \(error)")
            throw LatheExit.stageFailed
        }
    }

    /// The plan against `lock`; throws the error of an input that cannot be hashed.
    func plan(_ selection: Planner.Selection, lock: LockFile) throws -> [Planner.PlannedStage] {
        let cache = HashCache(fileURL: store.hashCacheURL)
        if let why = cache.discarded { printError("lathe: warning: \(why)") }
        let hashes = try Executor.hashInputs(of: graph, needed: Set(graph.names), projectRoot: root, cache: cache)
        let store = self.store
        return Planner.plan(graph, lock: lock, inputHashes: hashes, selection: selection, entryState: store.state(of:))
    }
}
