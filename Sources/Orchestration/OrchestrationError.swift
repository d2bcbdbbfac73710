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
    /// A symbolic link among an input's files resolves outside the project root.
    case symlinkOutside(link: String, target: String)
    /// An input (or a file inside an input folder) is a FIFO, device or socket: reading it could block
    /// forever or never end, so it is refused before it is opened.
    case notRegularFile(path: String, kind: String)
    /// An input changed between being hashed and the end of the stage that read it.
    case inputChanged(path: String, detail: String)
    /// The store folder was not made by Lathe (no marker file), so nothing in it may be deleted or written.
    case notAStore(path: String, reason: String)
    /// The remote cache did not answer (refused, timed out) after the retries.
    case remoteUnreachable(url: String, reason: String)
    /// The remote cache answered a request with an error status.
    case remoteRefused(url: String, status: Int, hint: String)
    /// The remote cache URL or its credentials are unusable (`--remote`, `LATHE_REMOTE`, `LATHE_REMOTE_*`).
    case remoteConfiguration(String)

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
        case .symlinkOutside(let link, let target):
            return "\(link) is a symbolic link to \(target), outside the project root; Lathe reads no file outside the project. Copy the file into the project (or remove the link)."
        case .notRegularFile(let path, let kind):
            return "\(path) is \(kind), not a regular file; Lathe reads only regular files (a FIFO or device could block or never end). Replace it with a regular file."
        case .inputChanged(let path, let detail):
            return "input \(path) changed while the stage ran (\(detail)); its result was not published, since it may mix old and new data. Run again once the file is final."
        case .notAStore(let path, let reason):
            return "\(path) is not a Lathe store (\(reason)). Point --store or $LATHE_STORE at the store folder (default <project>/artifacts), or at an empty or new folder for a new store."
        case .remoteUnreachable(let url, let reason):
            return "remote cache \(url) is unreachable (\(reason)). Check that the server runs and the URL (--remote or LATHE_REMOTE)."
        case .remoteRefused(let url, let status, let hint):
            return "remote cache \(url) answered HTTP \(status). \(hint)"
        case .remoteConfiguration(let why):
            return why
        case .noProjectRoot(let recipe):
            return "\(recipe): no project root found (no 'artifacts/' or '.git' in any parent folder). Run `git init` or `mkdir artifacts` at the project's top."
        }
    }
}
