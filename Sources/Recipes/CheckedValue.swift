/// A validated recipe value: what a YAML node becomes once it has been checked against its `KeySpec`
/// (`ValueChecker`). A stage's checked values, keyed by canonical key name with the tables' defaults
/// filled, feed both its cache key (`CanonicalParams`) and its typed params (`CheckedValueDecoder`).
enum CheckedValue: Sendable, Hashable {
    case int(Int)
    case number(Double)
    case bool(Bool)
    case string(String)
    /// A `from:` / `tokenizer:` / `models:` entry, classified.
    case ref(FromRef)
    case list([CheckedValue])
    case object([String: CheckedValue])
}
