/// Errors of the stage adapters, written for users; the executor prefixes the stage name.
public enum StageError: Error, Sendable, CustomStringConvertible {
    case unknownStage(String)
    /// This build has no adapter for the kind yet.
    case kindNotAvailable(String)
    /// An upstream stage's outputs lack a file this stage needs.
    case missingUpstreamFile(stage: String, file: String)
    /// A check that needs data found a problem (vocab mismatch, sequence too long, …).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .unknownStage(let name): return "stage '\(name)' is not in the loaded recipe."
        case .kindNotAvailable(let kind):
            return "stage kind '\(kind)' cannot run in this build of Lathe yet; run `lathe --help` to see what this build supports."
        case .missingUpstreamFile(let stage, let file):
            return "upstream stage '\(stage)' did not produce '\(file)'."
        case .invalidInput(let message): return message
        }
    }
}
