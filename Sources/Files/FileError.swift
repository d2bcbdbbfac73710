/// Why a file could not be read or written, in words for the user (`reason` never repeats the path).
public struct FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as the caller named it.
    public let path: String
    /// What went wrong and, where there is one, the fix ("it is a directory; name a file inside it").
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}
