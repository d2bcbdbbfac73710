import Foundation

extension LoadSession {
    /// Applies `--set PATH=VALUE` overrides to the parsed tree before any check, so an override is validated
    /// exactly like the file (its diagnostics name the override instead of a line). PATH is `name`, `seed`,
    /// `defaults.KEY[.SUBKEY…]` or `stages.STAGE.KEY[.SUBKEY…]`, where a part may index a list (`datasets[0].path`); VALUE is a YAML scalar or flow value.
    mutating func applyOverrides(_ overrides: [String], to root: inout YNode) {
        for (index, text) in overrides.enumerated() {
            let location = SourceLocation(line: 0, column: 0, override: text, overrideIndex: index)
            let usage = "Overrides look like stages.NAME.KEY=VALUE, defaults.KEY=VALUE, seed=N or name=TEXT."
            guard let equals = text.firstIndex(of: "=") else {
                checker.sink.error(location, "an override needs '=' between the key and the value. \(usage)")
                continue
            }
            let path = text[..<equals].trimmingCharacters(in: .whitespaces)
            let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            guard segments.count <= Self.maxOverrideParts else {
                checker.sink.error(location, "the key has \(segments.count) parts; no recipe key is deeper than \(Self.maxOverrideParts). \(usage)")
                continue
            }
            guard !segments.contains("") else {
                checker.sink.error(location, "the key '\(path)' has an empty part. \(usage)")
                continue
            }
            guard var value = parseValue(String(text[text.index(after: equals)...]), location: location) else { continue }
            value.relocate(to: location)
            switch segments[0] {
            case "name" where segments.count == 1, "seed" where segments.count == 1:
                Self.assign(value, at: segments[...], in: &root, location: location) { _ in nil }
            case "defaults" where segments.count >= 2:
                var defaults = Self.child("defaults", of: root) ?? YNode(content: .mapping([]), location: location)
                if let problem = Self.assign(value, at: segments.dropFirst(), in: &defaults, location: location, canonical: { key in
                    KeyTables.kindsByKey[key]?.first.flatMap { KeyTables.keys(for: $0).lookup[key]?.spec.name }
                }) {
                    checker.sink.error(location, problem)
                    continue
                }
                Self.assign(defaults, at: ["defaults"], in: &root, location: location) { _ in nil }
            case "stages" where segments.count >= 3:
                guard var stages = Self.child("stages", of: root), let entries = stages.entries else {
                    checker.sink.error(location, "the recipe has no stages to override. Add 'stages:' to the recipe.")
                    continue
                }
                let name = segments[1]
                guard let index = entries.firstIndex(where: { $0.key == name && $0.duplicateOf == nil }) else {
                    checker.sink.error(location, "no stage '\(name)'."
                        + (Suggestions.closest(to: name, in: entries.map(\.key)).map { " Did you mean '\($0)'?" }
                            ?? " Stages: " + entries.map(\.key).joined(separator: ", ") + "."))
                    continue
                }
                var stage = entries[index].value
                let kind = Self.child("kind", of: stage)?.scalarText.flatMap(StageKind.init(rawValue:))
                if let problem = Self.assign(value, at: segments.dropFirst(2), in: &stage, location: location, canonical: { key in
                    kind.flatMap { KeyTables.keys(for: $0).lookup[key]?.spec.name }
                }) {
                    checker.sink.error(location, problem)
                    continue
                }
                var newEntries = entries
                newEntries[index].value = stage
                stages.content = .mapping(newEntries)
                Self.assign(stages, at: ["stages"], in: &root, location: location) { _ in nil }
            default:
                checker.sink.error(location, "cannot override '\(path)'. \(usage)")
            }
        }
    }

    /// Parts an override key may have: the deepest recipe key (`stages.S.replay.datasets[0].path`)
    /// has five, so 32 is generous; the bound keeps ``assign(_:at:in:location:canonical:)``, which
    /// recurses once per part, far from the stack's end (a 15,000-part key crashed it).
    static let maxOverrideParts = 32

    private mutating func parseValue(_ text: String, location: SourceLocation) -> YNode? {
        if text.trimmingCharacters(in: .whitespaces).isEmpty {
            return YNode(content: .scalar("", plain: true), location: location)
        }
        switch YAMLSource.parse(text, nodeBudget: 100_000) {
        case .success(let node): return node
        case .failure(let failure):
            checker.sink.error(location, "the value is not valid YAML (\(failure.message)) Quote it, e.g. KEY='\"text\"'.")
            return nil
        }
    }

    static func child(_ key: String, of node: YNode) -> YNode? {
        node.entries?.first { $0.key == key && $0.duplicateOf == nil }?.value
    }

    /// Sets `value` at `path` inside mapping `node`, replacing the entry with the same canonical key
    /// (`canonical` maps aliases at the first level) or appending one; missing mappings are created.
    /// A path part may index a list: `datasets[0]` (the list and the item must exist).
    /// - Returns: a message when the path cannot be followed, else nil.
    @discardableResult
    static func assign(_ value: YNode, at path: ArraySlice<String>, in node: inout YNode, location: SourceLocation,
                       canonical: (String) -> String?) -> String? {
        guard let part = path.first else { return nil }
        let (key, listIndex) = splitIndex(part)
        var entries = node.entries ?? []
        let wanted = canonical(key) ?? key
        let index = entries.firstIndex { $0.duplicateOf == nil && (canonical($0.key) ?? $0.key) == wanted }
        if let listIndex {
            guard let index, case .sequence(var items) = entries[index].value.content else {
                return "'\(key)' is not a list in the recipe, so '\(part)' cannot be set. Override the whole list: \(key)='[…]'."
            }
            guard listIndex < items.count else {
                return "'\(key)' has \(items.count) item(s), so '\(part)' does not exist. Indices start at 0."
            }
            if path.count == 1 {
                items[listIndex] = value
            } else {
                guard items[listIndex].entries != nil else {
                    return "'\(part)' is not a mapping, so it has no '\(path.dropFirst().joined(separator: "."))'."
                }
                if let problem = assign(value, at: path.dropFirst(), in: &items[listIndex], location: location, canonical: { _ in nil }) {
                    return problem
                }
            }
            entries[index].value.content = .sequence(items)
        } else if path.count == 1 {
            let entry = YEntry(key: key, keyLocation: location, value: value)
            if let index { entries[index] = entry } else { entries.append(entry) }
        } else {
            var inner = index.map { entries[$0].value }.flatMap { $0.entries != nil ? $0 : nil }
                ?? YNode(content: .mapping([]), location: location)
            if let problem = assign(value, at: path.dropFirst(), in: &inner, location: location, canonical: { _ in nil }) {
                return problem
            }
            if let index { entries[index].value = inner } else {
                entries.append(YEntry(key: key, keyLocation: location, value: inner))
            }
        }
        node.content = .mapping(entries)
        return nil
    }

    /// `datasets[2]` → ("datasets", 2); `lr` → ("lr", nil).
    static func splitIndex(_ part: String) -> (String, Int?) {
        guard part.hasSuffix("]"), let open = part.firstIndex(of: "["),
              let number = Int(part[part.index(after: open)..<part.index(before: part.endIndex)]), number >= 0 else {
            return (part, nil)
        }
        return (String(part[..<open]), number)
    }
}

extension YNode {
    /// Moves this node and everything in it to `location` (values that came from `--set`).
    mutating func relocate(to location: SourceLocation) {
        self.location = location
        switch content {
        case .scalar: break
        case .sequence(var items):
            for index in items.indices { items[index].relocate(to: location) }
            content = .sequence(items)
        case .mapping(var entries):
            for index in entries.indices {
                entries[index].keyLocation = location
                entries[index].value.relocate(to: location)
            }
            content = .mapping(entries)
        }
    }
}
