public import Foundation

/// Loads and validates recipes. Paths in a recipe are relative to the recipe's directory and must stay
/// inside `projectRoot`.
///
/// Loading is strict and all-at-once: every problem is collected and thrown together as a `RecipeError`
/// (file order, overrides last), so a user fixes a recipe in one round.
/// - Complexity: O(size of the recipe after alias expansion) plus one `stat` per distinct path.
public struct RecipeLoader: Sendable {
    public let projectRoot: URL
    /// Reads the model files the recipe names (`config.json`, `tokenizer.json`, `adapter_config.json`):
    /// Recipes does not parse model files itself (`Stages.ModelFolderPreflight` is the reader `lathe` uses).
    public let modelFolders: any ModelFolderReader

    /// Most YAML values one recipe may expand to through anchors and aliases (alias-bomb guard).
    public static let maxNodes = 1_000_000
    /// Most stages one recipe may declare.
    public static let maxStages = 10_000
    /// Largest recipe file, checked before parsing: 10,000 full stages fit in well under 4 MiB, and a
    /// million-stage file is refused before the YAML parser builds a node per line.
    public static let maxBytes = 4 << 20

    public init(projectRoot: URL, modelFolders: any ModelFolderReader) {
        self.projectRoot = projectRoot
        self.modelFolders = modelFolders
    }

    /// Reads, parses, applies `defaults:`, normalises aliases (warning each), applies overrides
    /// (`stages.S.key=value`, `stages.S.model.n_layer=2`, `defaults.key=value`, `seed=7`, `name=x`; the value is
    /// YAML, e.g. `stages.lora.lora_target_modules=[c_attn,c_proj]`), validates everything, and returns or
    /// throws all errors.
    public func load(recipeAt url: URL, overrides: [String] = []) throws(RecipeError) -> LoadedRecipe {
        // The size limit is checked before reading: a 2 GB file must not be read (twice) to be refused.
        if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, size > Self.maxBytes {
            throw RecipeError(diagnostics: [RecipeDiagnostic(
                severity: .error, file: Self.displayPath(url), line: 1, column: 1,
                message: "the recipe is \(size / 1024) KiB; the limit is \(Self.maxBytes / 1024) KiB. Split it into several recipes.")])
        }
        if let type = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.type] as? FileAttributeType,
           type != .typeRegular {
            throw RecipeError(diagnostics: [RecipeDiagnostic(
                severity: .error, file: Self.displayPath(url), line: 0, column: 0,
                message: "the recipe is not a regular file (a FIFO, device or folder?). Name a .yaml file.")])
        }
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw RecipeError(diagnostics: [RecipeDiagnostic(
                severity: .error, file: Self.displayPath(url), line: 0, column: 0,
                message: "cannot read the recipe (\(error.localizedDescription)). Check the path and that it is UTF-8 text.")])
        }
        return try load(yaml: text, url: url, overrides: overrides)
    }

    /// Same as `load(recipeAt:)`, from text; `url` names the file in diagnostics and anchors relative paths.
    public func load(yaml: String, url: URL, overrides: [String] = []) throws(RecipeError) -> LoadedRecipe {
        guard yaml.utf8.count <= Self.maxBytes else {
            throw RecipeError(diagnostics: [RecipeDiagnostic(
                severity: .error, file: Self.displayPath(url), line: 1, column: 1,
                message: "the recipe is \(yaml.utf8.count / 1024) KiB; the limit is \(Self.maxBytes / 1024) KiB. Split it into several recipes.")])
        }
        var session = LoadSession(projectRoot: projectRoot, file: url, modelFolders: modelFolders)
        let recipe = session.run(yaml: yaml, overrides: overrides)
        let display = Self.displayPath(url)
        let errors = session.checker.sink.diagnostics(.error, file: display)
        guard errors.isEmpty, let recipe else {
            throw RecipeError(diagnostics: errors)
        }
        return LoadedRecipe(recipe: recipe, warnings: session.checker.sink.diagnostics(.warning, file: display))
    }

    /// The path relative to the working directory when the file is below it, else as given.
    static func displayPath(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let cwd = FileManager.default.currentDirectoryPath
        let prefix = cwd.hasSuffix("/") ? cwd : cwd + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}
