/// Collects diagnostics while the loader walks the recipe.
struct DiagnosticSink {
    struct Item {
        var location: SourceLocation
        var severity: RecipeDiagnostic.Severity
        var message: String
    }

    private(set) var items: [Item] = []
    private var seen: Set<String> = []

    var hasErrors: Bool { items.contains { $0.severity == .error } }

    /// Records an error; an identical (location, text) pair is kept once, so a bad `defaults:` entry merged
    /// into many stages is reported once.
    mutating func error(_ location: SourceLocation, _ message: String) { add(location, .error, message) }
    mutating func warning(_ location: SourceLocation, _ message: String) { add(location, .warning, message) }

    private mutating func add(_ location: SourceLocation, _ severity: RecipeDiagnostic.Severity, _ text: String) {
        let message = Self.clipped(text)
        let key = "\(location.line):\(location.column):\(location.override ?? ""):\(severity == .error):\(message)"
        guard seen.insert(key).inserted else { return }
        items.append(Item(location: location, severity: severity, message: message))
    }

    /// Diagnostics of one severity in file order (overrides last, in the order given).
    func diagnostics(_ severity: RecipeDiagnostic.Severity, file: String) -> [RecipeDiagnostic] {
        let chosen = items.enumerated().filter { $0.element.severity == severity }
        let sorted = chosen.sorted { a, b in
            let (la, lb) = (a.element.location.order, b.element.location.order)
            return la != lb ? la < lb : a.offset < b.offset
        }
        return sorted.map { item in
            let location = item.element.location
            if let override = location.override {
                return RecipeDiagnostic(severity: severity, file: "--set \(Self.clipped(override))", line: 0, column: 0,
                                        message: item.element.message)
            }
            return RecipeDiagnostic(severity: severity, file: file, line: location.line, column: location.column,
                                    message: item.element.message)
        }
    }
}

extension DiagnosticSink {
    /// Words (runs without a space) longer than this are cut in messages.
    static let longestWord = 160

    /// `text` with every word longer than ``longestWord`` characters cut to its first 80 and a count,
    /// so a 3 MB token or a 15,000-part key is never echoed whole.
    /// Control characters (a newline or NUL inside a name or path) are shown escaped (`\n`, `\u{0}`),
    /// so one diagnostic stays one line.
    static func clipped(_ raw: String) -> String {
        let text = raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) ? escaped(raw) : raw
        guard text.utf8.count > longestWord else { return text }
        let words = text.split(separator: " ", omittingEmptySubsequences: false)
        guard words.contains(where: { $0.utf8.count > longestWord }) else { return text }
        return words.map { word in
            guard word.utf8.count > longestWord else { return String(word) }
            return "\(word.prefix(80))… (\(word.count) characters)"
        }.joined(separator: " ")
    }

    private static func escaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

/// Names the place a value sits for messages: "in stage 'base'", "in 'datasets[0]' of stage 'base'".
struct Scope {
    /// "stage 'base'" or "'defaults'".
    var owner: String
    /// Dotted path inside the owner, "" at its top.
    var path: String = ""

    func nested(_ component: String) -> Scope {
        Scope(owner: owner, path: path.isEmpty ? component : path + (component.hasPrefix("[") ? "" : ".") + component)
    }

    /// "in stage 'base'" / "in 'model' of stage 'base'".
    var phrase: String { path.isEmpty ? "in \(owner)" : "in '\(path)' of \(owner)" }
    /// "stage 'base'" / "'model' of stage 'base'".
    var subject: String { path.isEmpty ? owner : "'\(path)' of \(owner)" }
}
