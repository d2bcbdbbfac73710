/// Errors of the stage adapters, written for users; the executor prefixes the stage name.
public enum StageError: Error, Sendable, CustomStringConvertible {
    case unknownStage(String)
    /// An upstream stage's outputs lack a file this stage needs.
    case missingUpstreamFile(stage: String, file: String)
    /// A check that needs data found a problem (vocab mismatch, sequence too long, …).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .unknownStage(let name): return "stage '\(name)' is not in the loaded recipe."
        case .missingUpstreamFile(let stage, let file):
            return "upstream stage '\(stage)' did not produce '\(file)'."
        case .invalidInput(let message): return message
        }
    }
}
