import Foundation

/// A checked value and where its key was written.
struct Field {
    var value: CheckedValue
    var location: SourceLocation
    var fromDefaults = false
}

/// A stage name met in `from:`, `tokenizer:` or `models:`, checked once every stage is known.
struct StageReference {
    var role: ReferenceRole
    var target: String
    var location: SourceLocation
}

/// Checks YAML nodes against `KeySpec`s: types (a scalar that parses as a number is a number, so `1e-5` and
/// `"1e-5"` both work), ranges, enums, unknown keys with did-you-mean, aliases (warned and normalised),
/// duplicates and paths. Every problem goes to `sink`; checking continues so all errors surface at once.
struct ValueChecker {
    var sink = DiagnosticSink()
    let paths: PathResolver
    /// Collected per stage by the loader (reset between stages).
    var references: [StageReference] = []
    var inputs: Set<String> = []

    init(paths: PathResolver) { self.paths = paths }

    /// Checks one value against `spec`. `scope` is where the key lives. Returns nil after reporting.
    mutating func value(_ node: YNode, spec: KeySpec, scope: Scope, name: String? = nil) -> CheckedValue? {
        let name = name ?? spec.name
        let at = node.location
        func wrongType() -> CheckedValue? {
            sink.error(at, "'\(name)' \(scope.phrase) must be \(spec.type.phrase), got \(node.gotDescription).")
            return nil
        }
        func inRange(_ number: Double, _ value: CheckedValue) -> CheckedValue? {
            guard let range = spec.range, !range.contains(number) else { return value }
            sink.error(at, "'\(name)' \(scope.phrase) must be \(range.phrase), got \(node.scalarText ?? "").")
            return nil
        }
        switch spec.type {
        case .integer:
            guard !node.isNull, let text = node.scalarText, let number = Self.integer(text) else { return wrongType() }
            return inRange(Double(number), .int(number))
        case .number:
            guard !node.isNull, let text = node.scalarText, let number = Self.number(text) else { return wrongType() }
            return inRange(number, .number(number))
        case .boolean:
            guard let text = node.scalarText, let flag = Self.boolean(text) else { return wrongType() }
            return .bool(flag)
        case .string:
            guard !node.isNull, let text = node.scalarText else { return wrongType() }
            return .string(text)
        case .enumeration(let allowed):
            guard !node.isNull, let text = node.scalarText else { return wrongType() }
            guard allowed.contains(text) else {
                sink.error(at, "'\(name)' \(scope.phrase) must be \(spec.type.phrase), got '\(text)'."
                    + Suggestions.didYouMean(text, in: allowed))
                return nil
            }
            return .string(text)
        case .list(let element):
            return list(node, element: element, spec: spec, name: name, scope: scope)
        case .object(let objectSpec):
            guard node.entries != nil else { return wrongType() }
            let fields = object(node, spec: objectSpec, scope: scope.nested(name), fill: true)
            if let fields, objectSpec.keys.contains(where: { $0.name == "path" }) {
                checkDatasetFolder(fields, scope: scope.nested(name))
                checkDatasetKeysForType(fields, scope: scope.nested(name))
            }
            return fields.map { CheckedValue.object($0.mapValues { $0.value }) }
        case .path(let role):
            guard !node.isNull, let text = node.scalarText else { return wrongType() }
            let isDirectory: Bool
            let noun: String
            switch role {
            case .dataset: (isDirectory, noun) = (false, "dataset")
            case .directory(let label): (isDirectory, noun) = (true, label)
            }
            return resolvePath(text, directory: isDirectory, noun: noun, at: at).map(CheckedValue.string)
        case .reference(let role):
            guard !node.isNull, let text = node.scalarText else { return wrongType() }
            return reference(text, role: role, name: name, scope: scope, at: at)
        }
    }

    private mutating func list(_ node: YNode, element: ValueType, spec: KeySpec, name: String, scope: Scope) -> CheckedValue? {
        let items: [YNode]
        switch node.content {
        case .sequence(let nodes): items = nodes
        case .scalar(let text, _) where !node.isNull:
            guard case .object = element else {
                // One scalar stands for a one-element list; strings also split at commas (LLaMA-Factory style).
                if case .string = element {
                    items = text.split(separator: ",").map {
                        YNode(content: .scalar($0.trimmingCharacters(in: .whitespaces), plain: false), location: node.location)
                    }
                } else {
                    items = [node]
                }
                break
            }
            fallthrough
        default:
            sink.error(node.location, "'\(name)' \(scope.phrase) must be \(spec.type.phrase), got \(node.gotDescription).")
            return nil
        }
        if spec.required, items.isEmpty {
            sink.error(node.location, "'\(name)' \(scope.phrase) is empty. List at least one entry.")
            return nil
        }
        var values: [CheckedValue] = []
        var failed = false
        let elementSpec = KeySpec(name: name, type: element, description: "", defaultValue: nil, range: spec.range)
        for (index, item) in items.enumerated() {
            if let checked = value(item, spec: elementSpec, scope: scope, name: "\(name)[\(index)]") {
                values.append(checked)
            } else {
                failed = true
            }
        }
        return failed ? nil : .list(values)
    }

    /// An adapter folder loads the base its `adapter_config.json` names (`base_model_name_or_path`,
    /// relative to the project root): that folder is read too, so it is an input and its files are in
    /// the key (a changed base reruns the stage). Chains are followed as the loader follows them (16 deep);
    /// a base that cannot be resolved is left to the run, which refuses it with the file's name.
    private mutating func addAdapterBases(of relative: String) {
        var current = relative
        for _ in 0..<16 {
            guard let base = paths.adapterBase(of: current),
                  case .success(let baseRelative) = paths.resolveFromRoot(base, directory: true),
                  inputs.insert(baseRelative).inserted else { return }
            current = baseRelative
        }
    }

    /// A dataset entry whose `path` names a folder must be `completion` text (the only type read from
    /// a folder of `.txt` files); any other type needs one file, which `validate` says, not the run.
    private mutating func checkDatasetFolder(_ fields: [String: Field], scope: Scope) {
        guard let path = fields["path"], case .string(let relative) = path.value,
              let type = fields["type"], case .string(let typeName) = type.value, typeName != "completion",
              paths.isDirectory(relative) else { return }
        sink.error(path.location, "'path' \(scope.phrase) names the folder \(relative), but type '\(typeName)' reads one file "
            + "(only 'completion' reads a folder of .txt files). Name the file inside it.")
    }

    /// Dataset keys that only some record types read, by key → those types.
    static let keysByType: [(key: String, types: [String])] = [
        ("field", ["completion"]),
        ("field_messages", ["chat", "sharegpt"]), ("message_field_role", ["chat", "sharegpt"]),
        ("message_field_content", ["chat", "sharegpt"]),
        ("field_instruction", ["alpaca", "dolly"]), ("field_input", ["alpaca", "dolly"]), ("field_output", ["alpaca", "dolly"]),
        ("text_field", ["classification"]), ("label_field", ["classification"]), ("text_pair_field", ["classification"]),
        ("columns", ["classification"]), ("choices", ["alpaca", "dolly", "input_output"]),
    ]

    /// A dataset key its `type` ignores, or an evaluation metric that does not apply to the type, is
    /// refused here rather than left to the run (issue 20 #10).
    private mutating func checkDatasetKeysForType(_ fields: [String: Field], scope: Scope) {
        guard case .string(let type)? = fields["type"]?.value else { return }
        for (key, types) in Self.keysByType where !types.contains(type) {
            guard let field = fields[key] else { continue }
            sink.error(field.location, "'\(key)' \(scope.phrase) has no effect on '\(type)' records: only "
                + types.map { "'\($0)'" }.joined(separator: " and ") + " records read it. Remove it, or set the type it belongs to.")
        }
        guard let metrics = fields["metrics"], case .list(let names) = metrics.value else { return }
        let allowed: Set<String> = switch type {
        case "classification": ["accuracy", "macro_f1"]
        case "alpaca", "dolly", "input_output": ["loss", "perplexity", "exact_match", "token_f1", "accuracy", "forgetting"]
        default: ["loss", "perplexity", "forgetting"]
        }
        for case .string(let metric) in names where !allowed.contains(metric) {
            let why = type == "classification" ? "classification data is scored by accuracy and macro_f1"
                : metric == "macro_f1" ? "macro_f1 scores classification data only"
                : "'\(metric)' compares generated answers with reference outputs, which only alpaca, dolly and input_output records have"
            sink.error(metrics.location, "metric '\(metric)' \(scope.phrase) does not apply to '\(type)' records: \(why). "
                + "Use " + allowed.sorted().joined(separator: ", ") + ".")
        }
    }

    private mutating func reference(_ text: String, role: ReferenceRole, name: String, scope: Scope,
                                    at: SourceLocation) -> CheckedValue? {
        if text == "scratch" {
            switch role {
            case .model, .tokenizerSource: return .ref(.scratch)
            case .tokenizer:
                sink.error(at, "'\(name)' \(scope.phrase) cannot be 'scratch'. Name a tokenize stage or a directory holding tokenizer.json.")
            case .evaluatedModel:
                sink.error(at, "'\(name)' \(scope.phrase) cannot be 'scratch'. Name a training stage or an HF model directory.")
            }
            return nil
        }
        if text.contains("/") || text.hasPrefix(".") {
            let noun = switch role {
            case .model, .evaluatedModel: "model directory"
            case .tokenizer, .tokenizerSource: "tokenizer directory"
            }
            // a model may also be one llama.cpp file
            let ggufModel = (role == .model || role == .evaluatedModel) && text.lowercased().hasSuffix(".gguf")
            guard let relative = resolvePath(text, directory: !ggufModel, noun: ggufModel ? "GGUF model file" : noun, at: at) else { return nil }
            if role == .model || role == .evaluatedModel { addAdapterBases(of: relative) }
            return .ref(.path(relative))
        }
        references.append(StageReference(role: role, target: text, location: at))
        return .ref(.stage(text))
    }

    private mutating func resolvePath(_ text: String, directory: Bool, noun: String, at: SourceLocation) -> String? {
        switch paths.resolve(text, directory: directory) {
        case .success(let relative):
            inputs.insert(relative)
            return relative
        case .failure(let problem):
            let message = switch problem {
            case .absolute:
                "path '\(text)' is absolute. Write it relative to the recipe file so the recipe works on every machine."
            case .escapes:
                "path '\(text)' leaves the project root. Keep data inside the project and refer to it relative to the recipe file."
            case .missing(let relative):
                "\(noun) '\(text)' does not exist (resolved to \(relative)). Check the path; paths are relative to the recipe file."
            case .notDirectory(let relative):
                "\(noun) '\(text)' is a file (resolved to \(relative)). Name the directory instead."
            case .controlCharacter:
                "path '\(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "\\u{\(String($0.value, radix: 16))}" : String($0) }.joined())' holds a control character (a NUL or a line break); no file can be named by it. Remove the character."
            case .notRegular(let relative, let kind):
                "\(noun) '\(text)' (resolved to \(relative)) is \(kind), not a regular file; reading it could block or never end. Use a regular file."
            case .symlinkOutside(let relative):
                "path '\(text)' (resolved to \(relative)) is a symbolic link to a place outside the project root. Copy the data into the project."
            }
            sink.error(at, message)
            return nil
        }
    }

    // MARK: Scalars

    /// An integer, also from integral number text such as `1e3`.
    static func integer(_ text: String) -> Int? {
        if let value = Int(text) { return value }
        guard let double = number(text), double == double.rounded(), abs(double) < 9.0e15 else { return nil }
        return Int(double)
    }

    /// Any finite number YAML 1.1 or 1.2 might write: `3`, `0.0003`, `3.0e-3`, `1e-5`, `.5`, `-2`.
    static func number(_ text: String) -> Double? {
        guard let first = text.unicodeScalars.first, first == "-" || first == "+" || first == "."
                || ("0"..."9").contains(first) else { return nil }
        guard !text.contains("_"), !text.lowercased().hasPrefix("0x"), let value = Double(text), value.isFinite else {
            return nil
        }
        return value
    }

    static func boolean(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }
}
