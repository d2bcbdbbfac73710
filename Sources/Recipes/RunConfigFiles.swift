public import Foundation

/// The config files that set run keys (`remote`, `executor`, `slurm:`; nothing else) outside a recipe,
/// like DVC's `.dvc/config` and `.dvc/config.local`:
///
/// - project: `<project>/.lathe/config.yaml` (committed, shared by the team) and
///   `<project>/.lathe/config.local.yaml` (this checkout only; keep it out of git), the local one winning;
/// - user: `$XDG_CONFIG_HOME/lathe/config.yaml`, else `~/.config/lathe/config.yaml`.
///
/// A recipe's own run keys win over both, the environment over the recipe, the command line over all.
/// Credentials never go in these files (a remote URL with `user:password@` is refused).
public enum RunConfigFiles {
    /// The user config file's path (it need not exist).
    public static func userFile(environment: [String: String]) -> URL {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg).appendingPathComponent("lathe/config.yaml")
        }
        let home = environment["HOME"].map { URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".config/lathe/config.yaml")
    }

    /// The project's config files, lower precedence first (shared, then local).
    public static func projectFiles(root: URL) -> [URL] {
        [root.appendingPathComponent(".lathe/config.yaml"), root.appendingPathComponent(".lathe/config.local.yaml")]
    }

    /// Largest config file read.
    public static let maxBytes = 64 << 10

    /// The run keys one config file sets; an empty layer when the file does not exist.
    /// - Throws: every problem at once, each with file:line:col and the fix.
    public static func load(_ url: URL) throws(RecipeError) -> RunSettingsLayer {
        let display = RecipeLoader.displayPath(url)
        func fail(_ message: String) -> RecipeError {
            RecipeError(diagnostics: [RecipeDiagnostic(severity: .error, file: display, line: 1, column: 1, message: message)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return RunSettingsLayer() }
        if isDirectory.boolValue { throw fail("the config file is a folder. Remove it or put the settings in a file of that name.") }
        if let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int, size > maxBytes {
            throw fail("the config file is \(size / 1024) KiB; the limit is \(maxBytes / 1024) KiB. It holds only remote, executor and slurm.")
        }
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw fail("cannot read the config file (\(error.localizedDescription)). Check its permissions and that it is UTF-8 text.")
        }
        return try parse(text, url: url)
    }

    /// Same as ``load(_:)`` from text; `url` names the file in diagnostics.
    public static func parse(_ text: String, url: URL) throws(RecipeError) -> RunSettingsLayer {
        let display = RecipeLoader.displayPath(url)
        var checker = ValueChecker(paths: PathResolver(projectRoot: url.deletingLastPathComponent(), recipeFile: url))
        var layer = RunSettingsLayer()
        switch YAMLSource.parse(text, nodeBudget: 10_000) {
        case .failure(let failure):
            checker.sink.error(failure.location, failure.message)
        case .success(let root):
            if root.isNull { return layer }
            guard let entries = root.entries else {
                checker.sink.error(root.location, "a config file must be a mapping of remote, executor and slurm, got "
                    + "\(root.gotDescription). Write e.g. 'executor: slurm'.")
                break
            }
            let names = KeyTables.runKeys.map(\.name)
            for entry in entries {
                if let first = entry.duplicateOf {
                    checker.sink.error(entry.keyLocation, "duplicate key '\(entry.key)' (first at line \(first.line)). Keep one of them.")
                    continue
                }
                if checker.runKey(entry, into: &layer, file: display, owner: "the config file") { continue }
                checker.sink.error(entry.keyLocation, "'\(entry.key)' cannot be set in a config file, which holds only "
                    + names.joined(separator: ", ") + "." + Suggestions.didYouMean(entry.key, in: names)
                    + (KeyTables.kindsByKey[entry.key] != nil ? " Stage keys go in the recipe ('defaults:' or a stage)." : ""))
            }
        }
        let errors = checker.sink.diagnostics(.error, file: display)
        guard errors.isEmpty else { throw RecipeError(diagnostics: errors) }
        return layer
    }
}
