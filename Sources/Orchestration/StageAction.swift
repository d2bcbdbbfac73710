/// What the planner decided for one stage, and why, as a sentence for users.
public enum StageAction: Sendable, Equatable, CustomStringConvertible {
    /// The lock entry matches and its store entry is intact.
    case upToDate
    /// The key is in the store (from another branch, recipe or an earlier value): no execution.
    case restore([StageChange])
    /// Must execute.
    case run(RunReason)
    /// An upstream must run first; the key cannot be known yet.
    case pendingUpstream(String)
    /// Not selected by `--only` / `--until`.
    case notSelected

    public enum RunReason: Sendable, Equatable, CustomStringConvertible {
        case neverRun
        case changed([StageChange])
        case forced
        /// The lock file names this key, but the store does not hold it (a fresh clone, another
        /// machine's store, or `lathe gc`).
        case resultAbsent
        /// The store holds the key, but the entry failed its check.
        case resultMissing(String)

        public var description: String {
            switch self {
            case .neverRun: return "never run"
            case .changed(let changes): return changes.map(\.description).joined(separator: "; ")
            case .forced: return "forced"
            case .resultAbsent: return "its recorded result is not in this store"
            case .resultMissing(let why): return "its stored result is unusable (\(why))"
            }
        }
    }

    public var description: String {
        switch self {
        case .upToDate: return "up to date"
        case .restore(let changes):
            return changes.isEmpty ? "cached result restored"
                : "cached result restored (\(changes.map(\.description).joined(separator: "; ")))"
        case .run(let reason): return reason.description
        case .pendingUpstream(let name): return "pending upstream '\(name)'"
        case .notSelected: return "not selected"
        }
    }

    /// Whether a run would do anything for this stage (`lathe status` exits 1 if any does).
    public var isWork: Bool {
        switch self {
        case .upToDate, .notSelected: return false
        default: return true
        }
    }
}
