/// Everything that can go wrong reading, encoding, sharding or caching a dataset. Each message
/// names the file (and line when there is one), says what is wrong and how to fix it.
public enum DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or directory could not be read.
    case unreadable(path: String, reason: String)
    /// A record is malformed: bad JSON, a missing or mistyped field. `line` is 1-based (0 if unknown).
    case badRecord(path: String, line: Int, reason: String)
    /// The dataset produced no examples.
    case empty(path: String, reason: String)
    /// The spec asks for something this type cannot do.
    case invalidSpec(path: String, reason: String)
    /// A token shard's header or size is wrong.
    case badShard(path: String, reason: String)
    /// Writing an output or cache file failed.
    case unwritable(path: String, reason: String)
    /// A model's chat template that Lathe cannot render exactly (`source` names the file it came from).
    case unsupportedChatTemplate(source: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read the dataset: \(reason)."
        case let .badRecord(path, line, reason):
            return "\(line > 0 ? "\(path):\(line)" : path): \(reason)."
        case let .empty(path, reason):
            return "\(path): the dataset is empty (\(reason)). Point `path:` at a file with at least one example."
        case let .invalidSpec(path, reason):
            return "\(path): \(reason)."
        case let .badShard(path, reason):
            return "\(path): not a valid token shard: \(reason)."
        case let .unwritable(path, reason):
            return "\(path): cannot write: \(reason)."
        case let .unsupportedChatTemplate(source, reason):
            return "\(source): the chat template cannot be rendered exactly (\(reason)). Set `chat_template:` to one of "
                + ChatTemplates.names.dropFirst().joined(separator: ", ") + " (the family the model was trained with)."
        }
    }
}
