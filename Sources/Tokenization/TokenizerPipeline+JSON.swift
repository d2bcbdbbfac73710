import JSONText

/// Decodes the `normalizer`, `pre_tokenizer`, `decoder` and `post_processor` objects of a
/// tokenizer.json into a ``TokenizerPipeline``'s parts. Every unknown type, option or pattern is a
/// ``TokenizationError`` naming the file, the field path (`pre_tokenizer.pretokenizers[0].pattern`)
/// and the value.
struct PipelineReader {
    /// The file, for errors.
    let source: String

    func unsupported(_ field: String, _ what: String) -> TokenizationError {
        .unsupported(path: source, feature: "\(field) \(what)")
    }

    func object(_ value: JSONValue?, _ field: String) throws -> JSONObject {
        guard let object = value?.objectValue else {
            throw TokenizationError.invalidField(path: source, field: field, reason: "is not an object")
        }
        return object
    }

    func type(_ object: JSONObject, _ field: String) throws -> String {
        guard let type = object["type"]?.stringValue else {
            throw TokenizationError.invalidField(path: source, field: field, reason: "has no string 'type'")
        }
        return type
    }

    func list(_ object: JSONObject, _ key: String, _ field: String) throws -> [JSONValue] {
        guard let list = object[key]?.arrayValue else {
            throw TokenizationError.invalidField(path: source, field: "\(field).\(key)", reason: "is missing or not a list")
        }
        return list
    }

    func bool(_ object: JSONObject, _ key: String, default value: Bool) -> Bool {
        object[key]?.boolValue ?? value
    }

    func string(_ object: JSONObject, _ key: String, _ field: String) throws -> String {
        guard let s = object[key]?.stringValue else {
            throw TokenizationError.invalidField(path: source, field: "\(field).\(key)", reason: "is missing or not a string")
        }
        return s
    }

    static func isNull(_ value: JSONValue?) -> Bool {
        guard let value else { return true }
        return value == .null
    }

    /// A `{"String": " "}` pattern; a `{"Regex": …}` one is unsupported here.
    func plainPattern(_ object: JSONObject, _ field: String) throws -> String {
        let pattern = try self.object(object["pattern"], "\(field).pattern")
        if let s = pattern["String"]?.stringValue, !s.isEmpty { return s }
        if let r = pattern["Regex"]?.stringValue { throw unsupported("\(field).pattern", "Regex \(r.debugDescription) (only plain-string patterns)") }
        throw TokenizationError.invalidField(path: source, field: "\(field).pattern", reason: "is neither {\"String\": …} nor {\"Regex\": …}")
    }

    // MARK: normalizer

    func normalizers(_ value: JSONValue?, field: String = "normalizer") throws -> [Normalizer] {
        guard !Self.isNull(value) else { return [] }
        let o = try object(value, field)
        switch try type(o, field) {
        case "Sequence":
            return try list(o, "normalizers", field).enumerated().flatMap { try normalizers($1, field: "\(field).normalizers[\($0)]") }
        case "Prepend":
            return [.prepend(try string(o, "prepend", field))]
        case "Replace":
            return [.replace(try plainPattern(o, field), try string(o, "content", field))]
        case let form where Normalizer.Form(rawValue: form) != nil:
            return [.unicode(Normalizer.Form(rawValue: form)!)]
        case let other:
            throw unsupported(field, "type '\(other)' (Lathe implements Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD)")
        }
    }

    // MARK: pre_tokenizer

    func preTokenizer(_ value: JSONValue?, field: String = "pre_tokenizer") throws -> [PreTokenizerStep] {
        guard !Self.isNull(value) else { return [] }
        let o = try object(value, field)
        switch try type(o, field) {
        case "Sequence":
            return try list(o, "pretokenizers", field).enumerated().flatMap { try preTokenizer($1, field: "\(field).pretokenizers[\($0)]") }
        case "ByteLevel":
            return [.byteLevel(addPrefixSpace: bool(o, "add_prefix_space", default: false), useRegex: bool(o, "use_regex", default: true))]
        case "Digits":
            return [.digits(individual: bool(o, "individual_digits", default: false))]
        case "Split":
            let pattern = try self.object(o["pattern"], "\(field).pattern")
            guard let regex = pattern["Regex"]?.stringValue ?? pattern["String"]?.stringValue else {
                throw TokenizationError.invalidField(path: source, field: "\(field).pattern", reason: "is neither {\"Regex\": …} nor {\"String\": …}")
            }
            guard pattern["Regex"] != nil, let known = SplitPattern(regex: regex) else {
                throw TokenizationError.unknownPattern(path: source, field: "\(field).pattern", pattern: regex)
            }
            let behavior = o["behavior"]?.stringValue ?? "Isolated"
            guard behavior == "Isolated" else { throw unsupported("\(field).behavior", "'\(behavior)' (only Isolated)") }
            guard !bool(o, "invert", default: false) else { throw unsupported("\(field).invert", "true") }
            return [.split(known)]
        case "Metaspace":
            return [try metaspace(o, field)]
        case let other:
            throw unsupported(field, "type '\(other)' (Lathe implements Sequence, ByteLevel, Digits, Split, Metaspace)")
        }
    }

    /// Both Metaspace layouts: `prepend_scheme` (tokenizers ≥ 0.19) or the older `add_prefix_space`.
    func metaspace(_ o: JSONObject, _ field: String) throws -> PreTokenizerStep {
        let replacement = o["replacement"]?.stringValue ?? "▁"
        guard replacement.unicodeScalars.count == 1 else {
            throw TokenizationError.invalidField(path: source, field: "\(field).replacement", reason: "must be one character, like \"▁\"")
        }
        let scheme: PreTokenizerStep.PrependScheme
        if let s = o["prepend_scheme"]?.stringValue {
            guard let parsed = PreTokenizerStep.PrependScheme(rawValue: s) else {
                throw TokenizationError.invalidField(path: source, field: "\(field).prepend_scheme", reason: "is '\(s)'; use first, always or never")
            }
            scheme = parsed
        } else {
            scheme = bool(o, "add_prefix_space", default: true) ? .always : .never
        }
        return .metaspace(replacement: replacement, prependScheme: scheme, split: bool(o, "split", default: true))
    }

    // MARK: decoder

    func decoder(_ value: JSONValue?, field: String = "decoder") throws -> [TokenDecoder.Step] {
        guard !Self.isNull(value) else { return [] }
        let o = try object(value, field)
        switch try type(o, field) {
        case "Sequence":
            return try list(o, "decoders", field).enumerated().flatMap { try decoder($1, field: "\(field).decoders[\($0)]") }
        case "ByteLevel": return [.byteLevel]
        case "ByteFallback": return [.byteFallback]
        case "Fuse": return [.fuse]
        case "Replace": return [.replace(try plainPattern(o, field), try string(o, "content", field))]
        case "Strip":
            let content = o["content"]?.stringValue ?? " "
            let start = o["start"]?.intValue ?? 0
            let stop = o["stop"]?.intValue ?? 0
            guard start >= 0, stop >= 0, start < 1 << 20, stop < 1 << 20 else {
                throw TokenizationError.invalidField(path: source, field: field, reason: "needs non-negative 'start' and 'stop'")
            }
            return [.strip(content: content, start: start, stop: stop)]
        case "Metaspace":
            guard case let .metaspace(replacement, scheme, _) = try metaspace(o, field) else { return [] }
            return [.metaspace(replacement: replacement, prependScheme: scheme)]
        case let other:
            throw unsupported(field, "type '\(other)' (Lathe implements Sequence, ByteLevel, ByteFallback, Fuse, Replace, Strip, Metaspace)")
        }
    }

    // MARK: post_processor

    /// The single-sequence template, or nil for none / `ByteLevel` (which changes offsets only).
    func template(_ value: JSONValue?, field: String = "post_processor") throws -> PostTemplate? {
        guard !Self.isNull(value) else { return nil }
        let o = try object(value, field)
        switch try type(o, field) {
        case "ByteLevel":
            return nil
        case "Sequence":
            var result: PostTemplate?
            for (i, p) in try list(o, "processors", field).enumerated() {
                if let t = try template(p, field: "\(field).processors[\(i)]") {
                    guard result == nil else { throw unsupported(field, "with two templates") }
                    result = t
                }
            }
            return result
        case "TemplateProcessing":
            let specials = o["special_tokens"]?.objectValue ?? [:]
            var prefix: [Int] = []
            var suffix: [Int] = []
            var seenSequence = false
            for (i, piece) in try list(o, "single", field).enumerated() {
                let at = "\(field).single[\(i)]"
                let p = try object(piece, at)
                if p["Sequence"] != nil {
                    guard !seenSequence else { throw unsupported(at, "(a second sequence in a single template)") }
                    seenSequence = true
                } else if let special = p["SpecialToken"]?.objectValue, let name = special["id"]?.stringValue {
                    guard let ids = specials[name]?["ids"]?.arrayValue else {
                        throw TokenizationError.invalidField(path: source, field: "\(field).special_tokens", reason: "has no entry '\(name)' with 'ids'")
                    }
                    let values = try ids.map { v -> Int in
                        guard let id = v.intValue, id >= 0 else {
                            throw TokenizationError.invalidField(path: source, field: "\(field).special_tokens.\(name).ids", reason: "must be non-negative integers")
                        }
                        return id
                    }
                    if seenSequence { suffix += values } else { prefix += values }
                } else {
                    throw TokenizationError.invalidField(path: source, field: at, reason: "is neither {\"Sequence\": …} nor {\"SpecialToken\": …}")
                }
            }
            // A template that adds nothing (`$A` alone, as transformers writes for SmolLM2) is no template.
            return prefix.isEmpty && suffix.isEmpty ? nil : PostTemplate(prefix: prefix, suffix: suffix)
        case let other:
            throw unsupported(field, "type '\(other)' (Lathe implements ByteLevel, TemplateProcessing, Sequence)")
        }
    }
}
