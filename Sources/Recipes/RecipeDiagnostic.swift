/// One diagnostic: `path:line:col: message`, or `--set key=value: message` for a command-line override.
///
/// `message` is a full sentence that ends with a fix or a "Did you mean 'x'?". Warnings render with a
/// `warning: ` prefix after the location; errors render bare, so the text matches what users grep for.
public struct RecipeDiagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Severity: Sendable { case error, warning }
    public let severity: Severity
    /// The recipe path as given (relative to the working directory when possible), or `--set …` for overrides.
    public let file: String
    /// 1-based line; 0 when the diagnostic comes from an override rather than the file.
    public let line: Int
    /// 1-based column in Unicode scalars; 0 for overrides.
    public let column: Int
    public let message: String

    public init(severity: Severity, file: String, line: Int, column: Int, message: String) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `line:col: message` without the file, handy where the file is implied.
    public var located: String {
        let prefix = severity == .warning ? "warning: " : ""
        return line == 0 ? "\(prefix)\(message)" : "\(line):\(column): \(prefix)\(message)"
    }

    public var description: String {
        let prefix = severity == .warning ? "warning: " : ""
        if line == 0 { return "\(file): \(prefix)\(message)" }
        return "\(file):\(line):\(column): \(prefix)\(message)"
    }
}

/// Thrown by the loader: every error found, in file order (override errors last, in the order given).
/// `description` is one diagnostic per line.
public struct RecipeError: Error, Sendable, CustomStringConvertible {
    public let diagnostics: [RecipeDiagnostic]

    public init(diagnostics: [RecipeDiagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// Where a value came from: a line and column of the recipe file, or a `--set` override.
struct SourceLocation: Sendable, Equatable {
    var line: Int
    var column: Int
    /// The override text (`stages.lora.lora_r=16`) when the value came from `--set`.
    var override: String?
    /// Position of the override on the command line, so override diagnostics keep the order given.
    var overrideIndex = 0

    static let top = SourceLocation(line: 1, column: 1, override: nil)

    /// Sort key that puts file positions in order and overrides after them, in the order given.
    var order: (Int, Int) { override == nil ? (line, column) : (Int.max, overrideIndex) }
}
