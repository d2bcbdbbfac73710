public import Foundation

/// A loaded, fully validated recipe.
public struct Recipe: Sendable {
    public let name: String
    /// The recipe-wide seed (`seed:`, default 42); stages without their own `seed` use it.
    public let seed: Int
    public let file: URL
    /// In file order.
    public let stages: [RecipeStage]
    /// The run keys (`remote`, `executor`, `slurm:`) this recipe sets; the CLI stacks them with the
    /// command line, the environment and the config files (``RunSettings``).
    public let run: RunSettingsLayer

    private let index: [String: Int]

    init(name: String, seed: Int, file: URL, stages: [RecipeStage], run: RunSettingsLayer = RunSettingsLayer()) {
        self.run = run
        self.name = name
        self.seed = seed
        self.file = file
        self.stages = stages
        var index: [String: Int] = [:]
        for (position, stage) in stages.enumerated() { index[stage.name] = position }
        self.index = index
    }

    /// O(1) lookup by stage name.
    public func stage(named name: String) -> RecipeStage? { index[name].map { stages[$0] } }
}

/// One stage of a loaded recipe.
public struct RecipeStage: Sendable {
    public let name: String
    public let kind: StageKind
    /// Where the stage is declared (its name key).
    public let line: Int, column: Int
    /// Typed, defaults merged, aliases normalised, paths root-relative.
    public let params: StageParams
    /// Names of stages this one reads from (`from:`, `tokenizer:`, `models:`), sorted, deduplicated.
    public let upstream: [String]
    /// Files and directories this stage reads that are not stages, project-root-relative, sorted, deduplicated.
    public let inputs: [String]
    /// Fully resolved params flattened to dotted keys with canonical scalar text (see `CanonicalParams`).
    /// Omits `threads`; includes the seed the stage uses. Stage references in `from:` and `tokenizer:` read
    /// `@upstream` (the upstream's outputs enter the cache key instead of its name); `models:` keeps names,
    /// which label the report.
    public let canonicalParams: [String: String]
}

/// A recipe plus the warnings (aliases normalised) found while loading it.
public struct LoadedRecipe: Sendable {
    public let recipe: Recipe
    public let warnings: [RecipeDiagnostic]
}
