/// Where and why JSON text could not be parsed: the byte offset of the problem and what was wrong there.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the parsed text.
    public let offset: Int
    /// What was wrong ("expected a string key", "nesting deeper than 64 levels").
    public let reason: String
    /// The repeated key when that is the problem (readers with their own duplicate-key error use it).
    public let duplicateKey: String?

    public init(offset: Int, reason: String, duplicateKey: String? = nil) {
        self.offset = offset
        self.reason = reason
        self.duplicateKey = duplicateKey
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}
