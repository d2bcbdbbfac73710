import Foundation
import JSONText

/// Typed field access with HF-style defaults and precise errors.
struct HFConfigReader {
    let object: JSONObject
    let source: String

    /// `config.json` text as an object, or `.invalidConfig` naming the file.
    static func object(_ data: Data, source: String) throws(HFCheckpointError) -> JSONObject {
        let value: JSONValue
        do { value = try JSONValue.parse(data) } catch {
            throw .invalidConfig(file: source, detail: "not a JSON object (\(error))")
        }
        guard case .object(let object) = value else {
            throw .invalidConfig(file: source, detail: "not a JSON object (the top level is \(value.kindName))")
        }
        return object
    }

    func present(_ key: String) -> JSONValue? {
        guard let value = object[key] else { return nil }
        if case .null = value { return nil }
        return value
    }

    func wrongType(_ key: String, _ expected: String) -> HFCheckpointError {
        .invalidConfig(file: source, detail: "'\(key)' must be \(expected)")
    }

    func string(_ key: String, default fallback: String?) throws(HFCheckpointError) -> String? {
        guard let value = present(key) else { return fallback }
        guard case let .string(text) = value else { throw wrongType(key, "a string") }
        return text
    }

    func bool(_ key: String, default fallback: Bool) throws(HFCheckpointError) -> Bool {
        guard let value = present(key) else { return fallback }
        guard case let .bool(flag) = value else { throw wrongType(key, "true or false") }
        return flag
    }

    func double(_ key: String, default fallback: Double) throws(HFCheckpointError) -> Double {
        let number: Double
        switch present(key) {
        case nil: return fallback
        case let .int(value)?: number = Double(value)
        case let .double(value)?: number = value
        default: throw wrongType(key, "a non-negative number")
        }
        guard number.isFinite, number >= 0 else { throw wrongType(key, "a non-negative number") }
        return number
    }

    func optionalPositiveInt(_ key: String, allowZero: Bool = false) throws(HFCheckpointError) -> Int? {
        guard let value = present(key) else { return nil }
        // an integral double (2.0) counts, as Python's json and transformers accept it
        guard let int = value.intValue, int > 0 || (allowZero && int == 0) else {
            throw wrongType(key, allowZero ? "a non-negative integer" : "a positive integer")
        }
        return int
    }

    func positiveInt(_ key: String, default fallback: Int) throws(HFCheckpointError) -> Int {
        try optionalPositiveInt(key) ?? fallback
    }
}
