/// Everything that can go wrong in the runner itself (not inside a stage), with messages for users.
public enum OrchestrationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// Two stages share a name.
    case duplicateStage(String)
    /// A stage reads from a stage that does not exist.
    case unknownUpstream(stage: String, upstream: String)
    /// The stages form a cycle, listed in order with the first repeated at the end.
    case cycle([String])
    /// `--only`, `--until` or `--force` named a stage that is not in the recipe.
    case unknownStageName(String, suggestion: String?)
    /// An input file or directory could not be read.
    case unreadableInput(path: String, reason: String)
    /// The store could not be written or read.
    case storeIO(path: String, reason: String)
    /// Another process holds the store lock and `--no-wait` was given.
    case storeBusy(path: String, holder: String)
    /// A lock file or manifest is not what Lathe wrote.
    case malformedRecord(path: String, reason: String)
    /// No `artifacts/` or `.git` above the recipe.
    case noProjectRoot(recipe: String)

    public var description: String {
        switch self {
        case .duplicateStage(let name):
            return "two stages are named '\(name)'. Give each stage a unique name."
        case .unknownUpstream(let stage, let upstream):
            return "stage '\(stage)' reads from '\(upstream)', which is not a stage of this recipe."
        case .cycle(let names):
            return "the stages form a cycle: \(names.joined(separator: " → ")). Remove one of these references."
        case .unknownStageName(let name, let suggestion):
            let hint = suggestion.map { " Did you mean '\($0)'?" } ?? ""
            return "no stage named '\(name)' in this recipe.\(hint)"
        case .unreadableInput(let path, let reason):
            return "\(path): cannot read input (\(reason))."
        case .storeIO(let path, let reason):
            return "\(path): store I/O failed (\(reason)). Check free disk space and permissions."
        case .storeBusy(let path, let holder):
            return "\(path) is locked by another lathe process (\(holder)). Wait for it, or run again without --no-wait to queue."
        case .malformedRecord(let path, let reason):
            return "\(path): \(reason)"
        case .noProjectRoot(let recipe):
            return "\(recipe): no project root found (no 'artifacts/' or '.git' in any parent folder). Run `git init` or `mkdir artifacts` at the project's top."
        }
    }
}
