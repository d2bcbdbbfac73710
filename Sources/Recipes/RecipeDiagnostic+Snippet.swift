extension RecipeDiagnostic {
    /// The offending source line and a caret under the column (Yams' `Mark.snippet` style), or nil for
    /// diagnostics without a file position. `source` is the recipe text the diagnostic came from.
    public func snippet(in source: String) -> String? {
        guard line > 0 else { return nil }
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard line <= lines.count else { return nil }
        let text = lines[line - 1]
        // Columns count Unicode scalars; pad with spaces (tabs kept) so the caret lines up in a terminal.
        let prefix = text.unicodeScalars.prefix(max(0, column - 1)).map { $0 == "\t" ? "\t" : " " }.joined()
        return "\(text)\n\(prefix)^"
    }
}
