import Foundation

/// One JSON value of `config.json`, typed strictly (a boolean is never a number and vice versa).
enum ConfigValue: Decodable {
    case null, bool(Bool), int(Int), double(Double), string(String), array([ConfigValue]), object([String: ConfigValue]), other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([ConfigValue].self) { self = .array(value) }
        else if let value = try? container.decode([String: ConfigValue].self) { self = .object(value) }
        else { self = .other }
    }
}

/// Typed field access with HF-style defaults and precise errors.
struct ConfigReader {
    let object: [String: ConfigValue]
    let source: String

    func present(_ key: String) -> ConfigValue? {
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
        guard case let .int(int) = value, int > 0 || (allowZero && int == 0) else {
            throw wrongType(key, allowZero ? "a non-negative integer" : "a positive integer")
        }
        return int
    }

    func positiveInt(_ key: String, default fallback: Int) throws(HFCheckpointError) -> Int {
        try optionalPositiveInt(key) ?? fallback
    }
}
