/// One difference between a stage's last result (its lock entry) and the recipe now.
public enum StageChange: Sendable, Equatable, CustomStringConvertible {
    case param(key: String, old: String, new: String)
    case paramAdded(key: String, value: String)
    case paramRemoved(key: String, value: String)
    case inputChanged(String)
    case inputAdded(String)
    case inputRemoved(String)
    case upstreamChanged(String)
    case kindChanged(old: String, new: String)
    /// The key differs and nothing above explains it: Lathe's own version salt changed.
    case laterVersion

    public var description: String {
        switch self {
        case .param(let key, let old, let new): return "\(key) \(old) → \(new)"
        case .paramAdded(let key, let value): return "\(key) set to \(value)"
        case .paramRemoved(let key, let value): return "\(key) \(value) removed"
        case .inputChanged(let path): return "input \(path) changed"
        case .inputAdded(let path): return "new input \(path)"
        case .inputRemoved(let path): return "input \(path) no longer read"
        case .upstreamChanged(let name): return "upstream '\(name)' produced new outputs"
        case .kindChanged(let old, let new): return "kind \(old) → \(new)"
        case .laterVersion: return "Lathe's stage code changed"
        }
    }
}
