import Yams

/// A YAML value with its source location, anchors and merge keys already resolved.
///
/// Built from Yams' `Node` so that every later check can point at a line and column. Mapping entries keep
/// duplicate keys (marked) instead of dropping them, so the validator can name both lines.
struct YNode: Sendable {
    enum Content: Sendable {
        /// Scalar text and whether it was written plain (unquoted), which decides `null` / `~` handling.
        case scalar(String, plain: Bool)
        case sequence([YNode])
        case mapping([YEntry])
    }

    var content: Content
    var location: SourceLocation

    /// A plain `null`, `~` or empty scalar: a key written with no value.
    var isNull: Bool {
        guard case .scalar(let text, let plain) = content, plain else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    var scalarText: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    var entries: [YEntry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    /// How the value reads in a "got …" clause: `'fast'`, `a list`, `a mapping`, `an empty value`.
    var gotDescription: String {
        switch content {
        case .scalar(let text, _): isNull ? "an empty value" : "'\(text)'"
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// One `key: value` pair of a mapping.
struct YEntry: Sendable {
    var key: String
    var keyLocation: SourceLocation
    var value: YNode
    /// Set when an earlier entry of the same mapping already used this key: that entry's location.
    var duplicateOf: SourceLocation?
    /// Merged in from the recipe's `defaults:` rather than written in the stage.
    var fromDefaults = false
}

/// Converts Yams nodes into `YNode`s, expanding aliases and `<<` merge keys under a node budget.
///
/// Yams shares aliased subtrees, so composing an alias bomb is cheap; expanding it is what explodes. Every
/// node visited here costs one unit of `budget`, so a "billion laughs" document fails after `budget` steps
/// with bounded memory.
struct YAMLTreeBuilder {
    struct BudgetExceeded: Error {
        /// The text budget ran out (long strings aliased many times), not the node budget.
        var text = false
    }

    var budget: Int
    /// Bytes of scalar text (keys and values) the expanded tree may hold: a 3 MB string aliased 10,000
    /// times stays within the node budget yet is 30 GB once every stage's key renders it.
    var textBudget = YAMLTreeBuilder.maxTextBytes
    static let maxTextBytes = 32 << 20
    /// Keys the loader renamed to get past Yams' duplicate-key check, mapped back to their real text.
    var renamedKeys: [String: String] = [:]

    mutating func build(_ node: Node) throws(BudgetExceeded) -> YNode {
        budget -= 1
        if budget < 0 { throw BudgetExceeded() }
        let location = Self.location(node.mark)
        switch node {
        case .scalar(let scalar):
            textBudget -= scalar.string.utf8.count
            if textBudget < 0 { throw BudgetExceeded(text: true) }
            return YNode(content: .scalar(scalar.string, plain: scalar.style == .plain), location: location)
        case .alias:
            // Yams resolves aliases while composing; an unresolved one cannot reach us.
            return YNode(content: .scalar("", plain: true), location: location)
        case .sequence(let sequence):
            var items: [YNode] = []
            items.reserveCapacity(sequence.count)
            for item in sequence { items.append(try build(item)) }
            return YNode(content: .sequence(items), location: location)
        case .mapping(let mapping):
            return YNode(content: .mapping(try buildEntries(mapping)), location: location)
        }
    }

    private mutating func buildEntries(_ mapping: Node.Mapping) throws(BudgetExceeded) -> [YEntry] {
        var explicit: [YEntry] = []
        var merged: [YEntry] = []
        var firstSeen: [String: SourceLocation] = [:]
        for (keyNode, valueNode) in mapping {
            if case .scalar(let scalar) = keyNode, scalar.style == .plain, scalar.string == "<<" {
                // YAML merge key: the referenced mapping(s) supply keys the mapping does not set itself;
                // earlier mappings in a merge list win over later ones.
                let sources: [Node] = valueNode.sequence.map { Array($0) } ?? [valueNode]
                for source in sources {
                    let built = try build(source)
                    merged.append(contentsOf: built.entries ?? [])
                }
                continue
            }
            let keyLocation = Self.location(keyNode.mark)
            var key = keyNode.scalar?.string ?? "<complex key>"
            textBudget -= key.utf8.count
            if textBudget < 0 { throw BudgetExceeded(text: true) }
            if let original = renamedKeys[key] { key = original }
            let value = try build(valueNode)
            var entry = YEntry(key: key, keyLocation: keyLocation, value: value, duplicateOf: nil)
            if let first = firstSeen[key] { entry.duplicateOf = first } else { firstSeen[key] = keyLocation }
            explicit.append(entry)
        }
        for entry in merged where firstSeen[entry.key] == nil {
            firstSeen[entry.key] = entry.keyLocation
            var copy = entry
            copy.duplicateOf = nil
            explicit.append(copy)
        }
        return explicit
    }

    static func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(line: mark?.line ?? 1, column: mark?.column ?? 1, override: nil)
    }
}
