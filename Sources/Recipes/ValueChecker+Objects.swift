extension ValueChecker {
    /// Result of checking a mapping: the valid fields by canonical key, and every canonical key that was
    /// written (valid or not), so a bad value is not also reported as missing.
    struct CheckedObject {
        var fields: [String: Field] = [:]
        var present: Set<String> = []
    }

    /// Checks the keys of a mapping. At a stage's top level pass `stageKind` (skips `kind`, and names the
    /// kind a misplaced key belongs to) and `fill: false` (the loader fills after its cross-key checks);
    /// entries merged from `defaults:` report against `defaultsScope`.
    mutating func object(_ node: YNode, spec: ObjectSpec, scope: Scope, fill: Bool, stageKind: StageKind? = nil,
                         defaultsScope: Scope? = nil) -> [String: Field]? {
        checkObject(node, spec: spec, scope: scope, fill: fill, stageKind: stageKind, defaultsScope: defaultsScope)?.fields
    }

    mutating func checkObject(_ node: YNode, spec: ObjectSpec, scope: Scope, fill: Bool, stageKind: StageKind? = nil,
                              defaultsScope: Scope? = nil) -> CheckedObject? {
        guard let entries = node.entries else { return nil }
        var checked = CheckedObject()
        checked.fields.reserveCapacity(spec.keys.count + 2)
        var spelled: [String: String] = [:]
        for entry in entries {
            let entryScope = entry.fromDefaults ? (defaultsScope ?? scope) : scope
            if stageKind != nil, entry.key == "kind" { continue }
            if let first = entry.duplicateOf {
                sink.error(entry.keyLocation,
                           "duplicate key '\(entry.key)' \(entryScope.phrase) (first at line \(first.line)). Keep one of them.")
                continue
            }
            guard let (keySpec, alias) = spec.lookup[entry.key] else {
                unknownKey(entry, spec: spec, scope: entryScope, stageKind: stageKind)
                continue
            }
            if let alias {
                sink.warning(entry.keyLocation, "'\(alias.name)' is the \(alias.source) spelling; use '\(keySpec.name)'.")
            }
            if let other = spelled[keySpec.name] {
                sink.error(entry.keyLocation,
                           "'\(entry.key)' and '\(other)' both set '\(keySpec.name)' \(entryScope.phrase). Keep one of them.")
                continue
            }
            spelled[keySpec.name] = entry.key
            checked.present.insert(keySpec.name)
            if let value = value(entry.value, spec: keySpec, scope: entryScope) {
                checked.fields[keySpec.name] = Field(value: value, location: entry.keyLocation, fromDefaults: entry.fromDefaults)
            }
        }
        if fill { fillDefaults(&checked, spec: spec, at: node.location, scope: scope) }
        return checked
    }

    /// Reports missing required keys and fills the tables' defaults for absent ones.
    mutating func fillDefaults(_ checked: inout CheckedObject, spec: ObjectSpec, at location: SourceLocation, scope: Scope) {
        for key in spec.keys where !checked.present.contains(key.name) {
            if key.required {
                sink.error(location, "\(scope.subject) needs '\(key.name)'. Add e.g. '\(Self.example(for: key.name))'.")
            } else if let value = key.defaultValue {
                checked.fields[key.name] = Field(value: value, location: location)
            }
        }
    }

    private mutating func unknownKey(_ entry: YEntry, spec: ObjectSpec, scope: Scope, stageKind: StageKind?) {
        if spec.name == stageKind?.rawValue, let reason = KeyTables.refusal(of: entry.key, kind: stageKind) {
            sink.error(entry.keyLocation, "'\(entry.key)' is not accepted \(scope.phrase): \(reason)")
            return
        }
        if let kind = stageKind, let owners = KeyTables.kindsByKey[entry.key], !owners.isEmpty {
            let list = owners.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            sink.error(entry.keyLocation, "'\(entry.key)' is not a key of \(kind.aStage); it belongs to \(list). "
                + "Remove it or change 'kind'.")
            return
        }
        let names = spec.keys.map(\.name)
        if let suggestion = Suggestions.closest(to: entry.key, in: names) {
            sink.error(entry.keyLocation, "unknown key '\(entry.key)' \(scope.phrase). Did you mean '\(suggestion)'?")
        } else if let kind = stageKind {
            sink.error(entry.keyLocation, "unknown key '\(entry.key)' \(scope.phrase). Remove it; "
                + "'lathe schema' lists the keys of \(kind.aStage).")
        } else {
            sink.error(entry.keyLocation, "unknown key '\(entry.key)' \(scope.phrase). Remove it; valid keys: "
                + names.joined(separator: ", ") + ".")
        }
    }

    static func example(for key: String) -> String {
        switch key {
        case "path": "path: data/train.txt"
        case "datasets": "datasets: [{path: data/train.txt, type: completion}]"
        case "test_datasets": "test_datasets: [{path: data/test.txt, type: completion}]"
        case "from": "from: scratch"
        case "models": "models: [base]"
        case "prompts": "prompts: [\"Once upon a time\"]"
        case "ratio": "ratio: 0.1"
        case "model": "model: {n_layer: 4, n_head: 4, n_embd: 128, n_positions: 128}"
        case "tokenizer": "tokenizer: tok"
        default: "\(key): …"
        }
    }
}
