import Foundation

/// A stage as the loader sees it before the whole recipe is known.
struct StageDraft {
    var name: String
    var location: SourceLocation
    var kind: StageKind?
    var fields: [String: Field] = [:]
    var references: [StageReference] = []
    var inputs: Set<String> = []
}

/// One run of the loader over one recipe: parse, overrides, top level, stages, references, build.
struct LoadSession {
    let file: URL
    var checker: ValueChecker
    var drafts: [StageDraft] = []
    var draftIndex: [String: Int] = [:]

    init(projectRoot: URL, file: URL, modelFolders: any ModelFolderReader) {
        self.file = file
        checker = ValueChecker(paths: PathResolver(projectRoot: projectRoot, recipeFile: file, modelFolders: modelFolders))
    }

    /// `\A…\z`, not `^…$`: ICU's `$` also matches before a final newline, which let "base\n" through.
    static let namePattern = try! NSRegularExpression(pattern: "\\A[A-Za-z0-9][A-Za-z0-9._-]*\\z")
    static let stageNamePattern = try! NSRegularExpression(pattern: "\\A[A-Za-z0-9_][A-Za-z0-9_-]*\\z")

    static func matches(_ pattern: NSRegularExpression, _ text: String) -> Bool {
        pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    /// Returns the recipe when no error was found (errors are in `checker.sink`).
    mutating func run(yaml: String, overrides: [String]) -> Recipe? {
        var root: YNode
        switch YAMLSource.parse(yaml, nodeBudget: RecipeLoader.maxNodes) {
        case .failure(let failure):
            checker.sink.error(failure.location, failure.message)
            return nil
        case .success(let node):
            root = node
        }
        guard root.entries != nil else {
            checker.sink.error(root.location, "the recipe must be a mapping with 'name', 'seed', 'defaults' and "
                + "'stages', got \(root.gotDescription). Start from an example in pipelines/.")
            return nil
        }
        applyOverrides(overrides, to: &root)

        var name = file.deletingPathExtension().lastPathComponent
        var seed = 42
        var defaults: YNode? = nil
        var stages: YNode? = nil
        var run = RunSettingsLayer()
        for entry in root.entries ?? [] {
            if let first = entry.duplicateOf {
                checker.sink.error(entry.keyLocation,
                                   "duplicate top-level key '\(entry.key)' (first at line \(first.line)). Keep one of them.")
                continue
            }
            switch entry.key {
            case "name":
                let spec = KeySpec.key("name", .string, "")
                if case .string(let text)? = checker.value(entry.value, spec: spec, scope: Scope(owner: "the recipe")) {
                    if Self.matches(Self.namePattern, text) {
                        name = text
                    } else {
                        checker.sink.error(entry.value.location, "recipe name '\(text)' may use only letters, digits, "
                            + "'.', '-' and '_' (it names the lock file). Rename it.")
                    }
                }
            case "seed":
                let spec = KeySpec.key("seed", .integer, "", range: .atLeast(0))
                if case .int(let value)? = checker.value(entry.value, spec: spec, scope: Scope(owner: "the recipe")) {
                    seed = value
                }
            case "defaults": defaults = entry.value
            case "stages": stages = entry.value
            default:
                if checker.runKey(entry, into: &run, file: RecipeLoader.displayPath(file), owner: "the recipe") { continue }
                checker.sink.error(entry.keyLocation, "unknown top-level key '\(entry.key)'."
                    + (Suggestions.closest(to: entry.key, in: KeyTables.topLevelKeys).map { " Did you mean '\($0)'?" }
                        ?? " Valid top-level keys: " + KeyTables.topLevelKeys.joined(separator: ", ") + "."))
            }
        }
        let defaultEntries = checkDefaults(defaults)
        guard let stages else {
            checker.sink.error(root.location, "the recipe has no 'stages'. Add e.g. "
                + "'stages: {tok: {kind: tokenize, datasets: [{path: data/train.txt}]}}'.")
            return nil
        }
        checkStages(stages, defaults: defaultEntries, seed: seed)
        checkReferences()
        guard !checker.sink.hasErrors else { return nil }
        checkModelShapes()
        guard !checker.sink.hasErrors else { return nil }
        return build(name: name, seed: seed, run: run)
    }

    /// Checks `defaults:` once (unknown keys, aliases, `kind`) and returns its usable entries.
    mutating func checkDefaults(_ node: YNode?) -> [YEntry] {
        guard let node else { return [] }
        guard let entries = node.entries else {
            checker.sink.error(node.location, "'defaults' must be a mapping of stage keys, got \(node.gotDescription). "
                + "Write e.g. 'defaults: {sequence_len: 128}'.")
            return []
        }
        var usable: [YEntry] = []
        for entry in entries {
            if let first = entry.duplicateOf {
                checker.sink.error(entry.keyLocation,
                                   "duplicate key '\(entry.key)' in 'defaults' (first at line \(first.line)). Keep one of them.")
                continue
            }
            if entry.key == "kind" {
                checker.sink.error(entry.keyLocation, "'kind' cannot be set in 'defaults'. Give each stage its own 'kind'.")
                continue
            }
            if let reason = KeyTables.refusedKeys[entry.key] {
                checker.sink.error(entry.keyLocation, "'\(entry.key)' is not accepted in 'defaults': \(reason)")
                continue
            }
            guard KeyTables.kindsByKey[entry.key] != nil else {
                checker.sink.error(entry.keyLocation, "unknown key '\(entry.key)' in 'defaults'."
                    + (Suggestions.closest(to: entry.key, in: KeyTables.allCanonicalKeys).map { " Did you mean '\($0)'?" }
                        ?? " No stage kind accepts it; remove it."))
                continue
            }
            if let kind = KeyTables.kindsByKey[entry.key]?.first,
               let found = KeyTables.keys(for: kind).lookup[entry.key], let alias = found.alias {
                let spec = found.spec
                checker.sink.warning(entry.keyLocation, "'\(alias.name)' is the \(alias.source) spelling; use '\(spec.name)'.")
            }
            var merged = entry
            merged.fromDefaults = true
            usable.append(merged)
        }
        return usable
    }
}
