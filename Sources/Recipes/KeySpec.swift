/// What kind of path a `.path` key holds, which decides the existence check and the message noun.
enum PathRole: Sendable {
    /// A data file read by the stage (`datasets[].path`): must exist.
    case dataset
    /// A directory (`lora_model_dir`): must exist and be a directory.
    case directory(noun: String)
}

/// What a `.reference` key may name.
enum ReferenceRole: Sendable {
    /// `from:` of a training stage: `scratch`, a model-producing stage, or an HF model directory.
    case model
    /// `from:` of a tokenize stage: a stage or directory holding `tokenizer.json`.
    case tokenizerSource
    /// `tokenizer:`: a tokenize stage or a directory holding `tokenizer.json`.
    case tokenizer
    /// An entry of `models:` (evaluate): a model-producing stage or an HF model directory.
    case evaluatedModel
}

/// Numeric bounds of a key, checked after the type. `nil` ends are open.
struct NumericRange: Sendable {
    var min: Double?
    var minExclusive = false
    var max: Double?
    var maxExclusive = false

    static func atLeast(_ value: Double) -> NumericRange { NumericRange(min: value) }
    static func greaterThan(_ value: Double) -> NumericRange { NumericRange(min: value, minExclusive: true) }
    /// `min...max`, both inclusive.
    static func limit(_ min: Double, _ max: Double) -> NumericRange { NumericRange(min: min, max: max) }
    static let unit = NumericRange(min: 0, max: 1)
    static let unitOpenTop = NumericRange(min: 0, max: 1, maxExclusive: true)

    /// The "must be …" clause of the range message.
    var phrase: String {
        let low = min.map { (minExclusive ? "greater than " : "at least ") + Self.text($0) }
        let high = max.map { (maxExclusive ? "less than " : "at most ") + Self.text($0) }
        switch (low, high) {
        case (let low?, let high?):
            return !minExclusive && !maxExclusive ? "between \(Self.text(min!)) and \(Self.text(max!))" : "\(low) and \(high)"
        case (let low?, nil): return low
        case (nil, let high?): return high
        case (nil, nil): return "a number"
        }
    }

    func contains(_ value: Double) -> Bool {
        if let min, minExclusive ? !(value > min) : !(value >= min) { return false }
        if let max, maxExclusive ? !(value < max) : !(value <= max) { return false }
        return true
    }

    static func text(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }
}

/// The type a key's value must have.
indirect enum ValueType: Sendable {
    case integer
    case number
    case boolean
    case string
    case enumeration([String])
    /// A list; a single scalar is accepted as a one-element list, and for strings split at commas
    /// (LLaMA-Factory writes `lora_target: c_attn,c_proj`).
    case list(ValueType)
    case object(ObjectSpec)
    case path(PathRole)
    case reference(ReferenceRole)

    /// "a number", "an integer", "one of 'a', 'b'"… for "must be …" messages.
    var phrase: String {
        switch self {
        case .integer: "an integer"
        case .number: "a number"
        case .boolean: "true or false"
        case .string: "a string"
        case .enumeration(let values): "one of " + values.map { "'\($0)'" }.joined(separator: ", ")
        case .list(let element):
            switch element {
            case .object: "a list of mappings"
            case .integer: "a list of integers"
            default: "a list of strings"
            }
        case .object: "a mapping"
        case .path: "a path (a string)"
        case .reference: "a stage name or a path (a string)"
        }
    }
}

/// Another spelling of a key that other tools use; normalised with a warning.
struct KeyAlias: Sendable {
    var name: String
    /// Who spells it that way: "torchtune", "LLaMA-Factory", "mlx-lm", "PEFT".
    var source: String
}

/// One key of a stage kind or nested mapping. The validator, the defaults merge, the JSON Schema and the
/// generated docs all read these tables, so they cannot disagree. A class so that walking a table of ~50
/// keys per stage costs one retain per key instead of one per field.
final class KeySpec: Sendable {
    let name: String
    let type: ValueType
    /// One line with units, used as the schema `description` and in docs.
    let description: String
    /// Filled in when the key is absent (after `defaults:`); `nil` means "absent stays absent".
    let defaultValue: CheckedValue?
    let range: NumericRange?
    let aliases: [KeyAlias]
    let required: Bool

    init(name: String, type: ValueType, description: String, defaultValue: CheckedValue?, range: NumericRange?,
         aliases: [KeyAlias] = [], required: Bool = false) {
        self.name = name
        self.type = type
        self.description = description
        self.defaultValue = defaultValue
        self.range = range
        self.aliases = aliases
        self.required = required
    }
}

/// The keys of a nested mapping (`model:`, `datasets[]`, `replay:`…).
struct ObjectSpec: Sendable {
    /// `$defs` name in the schema.
    var name: String
    var description: String
    var keys: [KeySpec]
    /// key name or alias → (spec, alias used or nil).
    let lookup: [String: (spec: KeySpec, alias: KeyAlias?)]

    init(name: String, description: String, keys: [KeySpec]) {
        self.name = name
        self.description = description
        self.keys = keys
        var lookup: [String: (spec: KeySpec, alias: KeyAlias?)] = [:]
        for key in keys {
            lookup[key.name] = (key, nil)
            for alias in key.aliases { lookup[alias.name] = (key, alias) }
        }
        self.lookup = lookup
    }
}

extension KeySpec {
    /// Shorthand for the tables.
    static func key(_ name: String, _ type: ValueType, _ description: String, default value: CheckedValue? = nil,
                    range: NumericRange? = nil, aliases: [KeyAlias] = [], required: Bool = false) -> KeySpec {
        KeySpec(name: name, type: type, description: description, defaultValue: value, range: range,
                aliases: aliases, required: required)
    }
}

extension KeyAlias {
    static func tt(_ name: String) -> KeyAlias { KeyAlias(name: name, source: "torchtune") }
    static func lf(_ name: String) -> KeyAlias { KeyAlias(name: name, source: "LLaMA-Factory") }
    static func mlx(_ name: String) -> KeyAlias { KeyAlias(name: name, source: "mlx-lm") }
    static func peft(_ name: String) -> KeyAlias { KeyAlias(name: name, source: "PEFT") }
}
