import Yams

/// Parses recipe text into a `YNode` tree, turning every YAML failure into a located message.
///
/// Yams rejects a mapping with a repeated key and reports only the first occurrence. Recipes must report
/// `duplicate stage name 'x'` with both lines and keep checking the rest, so on that error the parser finds
/// the repeated key in the text, renames it to a unique private-use character of the same width (columns
/// elsewhere stay exact) and composes again; `YAMLTreeBuilder` maps the renamed key back and marks it.
enum YAMLSource {
    struct Failure: Error {
        var location: SourceLocation
        var message: String
    }

    /// Most renames we attempt before reporting the remaining repeated key without its second line.
    static let maxRenames = 200

    static func parse(_ text: String, nodeBudget: Int) -> Result<YNode, Failure> {
        var current = text
        var lines: [[Unicode.Scalar]]? = nil
        var renamed: [String: String] = [:]
        for attempt in 0...maxRenames {
            let root: Node?
            do {
                // The basic resolver skips Yams' per-scalar regex tagging: the checker types scalars itself.
                root = try Yams.compose(yaml: current, .basic)
            } catch let error as YamlError {
                guard case .duplicatedKeysInMapping(let keys, let context) = error, let key = keys.first else {
                    return .failure(failure(from: error))
                }
                if lines == nil { lines = splitLines(text) }
                guard attempt < maxRenames,
                      let spot = nextOccurrence(of: key, after: context.mark, in: lines!),
                      let sentinel = Unicode.Scalar(0xF0000 + attempt) else {
                    return .failure(Failure(
                        location: YAMLTreeBuilder.location(context.mark),
                        message: "duplicate key '\(key)'; each key may appear once per mapping. Remove or rename one."))
                }
                let original = lines![spot.line]
                var changed = original
                changed[spot.column] = sentinel
                lines![spot.line] = changed
                renamed[String(String.UnicodeScalarView(changed[spot.column..<spot.column + key.unicodeScalars.count]))] = key
                current = lines!.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
                continue
            } catch {
                return .failure(Failure(location: .top, message: "cannot read the recipe: \(error)."))
            }
            guard let root else {
                return .failure(Failure(location: .top,
                                        message: "the recipe is empty. Add 'name:', 'seed:' and 'stages:'."))
            }
            var builder = YAMLTreeBuilder(budget: nodeBudget, renamedKeys: renamed)
            do {
                return .success(try builder.build(root))
            } catch {
                if error.text {
                    return .failure(Failure(
                        location: .top,
                        message: "the recipe expands to more than \(YAMLTreeBuilder.maxTextBytes >> 20) MiB of text through anchors "
                            + "and aliases (a long value aliased many times?). Alias fewer copies of long values."))
                }
                return .failure(Failure(
                    location: .top,
                    message: "the recipe expands to more than \(nodeBudget) values through anchors and aliases "
                        + "(an alias bomb?). Reduce the nesting of '*' aliases."))
            }
        }
        return .failure(Failure(location: .top, message: "too many duplicate keys. Remove the repeated keys."))
    }

    private static func failure(from error: YamlError) -> Failure {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let while_ = context.map { " (\($0.text))" } ?? ""
            return Failure(location: YAMLTreeBuilder.location(mark),
                           message: "YAML syntax error: \(problem)\(while_). Check the indentation and quoting here.")
        default:
            return Failure(location: .top, message: "cannot read the recipe: \(error). Check that it is UTF-8 YAML.")
        }
    }

    private static func splitLines(_ text: String) -> [[Unicode.Scalar]] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
    }

    /// Finds the next place after `mark` where `key` is written as a mapping key (`key:`, `"key":`),
    /// at the same column when the first one started a block-style line. Returns 0-based line and column.
    static func nextOccurrence(of key: String, after mark: Mark, in lines: [[Unicode.Scalar]])
        -> (line: Int, column: Int)?
    {
        let needle = Array(key.unicodeScalars)
        guard !needle.isEmpty, mark.line >= 1, mark.line <= lines.count else { return nil }
        let firstLine = lines[mark.line - 1]
        let firstColumn = mark.column - 1
        let isBlock = firstLine.prefix(firstColumn).allSatisfy { $0 == " " || $0 == "-" }
        for lineIndex in (mark.line - 1)..<lines.count {
            let line = lines[lineIndex]
            let start = lineIndex == mark.line - 1 ? firstColumn + needle.count + 1 : 0
            guard start < line.count else { continue }
            let columns = isBlock ? [firstColumn] : Array(start..<line.count)
            for column in columns where column >= start || lineIndex != mark.line - 1 {
                if matchesKey(needle, in: line, at: column) { return (lineIndex, column) }
            }
        }
        return nil
    }

    private static func matchesKey(_ needle: [Unicode.Scalar], in line: [Unicode.Scalar], at column: Int) -> Bool {
        guard column >= 0, column + needle.count <= line.count,
              Array(line[column..<column + needle.count]) == needle else { return false }
        if column > 0 {
            let before = line[column - 1]
            guard " \t{,\"'".unicodeScalars.contains(before) else { return false }
        }
        var index = column + needle.count
        if index < line.count, line[index] == "\"" || line[index] == "'" { index += 1 }
        while index < line.count, line[index] == " " { index += 1 }
        return index < line.count && line[index] == ":"
    }
}
