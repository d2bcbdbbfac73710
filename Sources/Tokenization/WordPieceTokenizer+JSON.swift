public import Foundation
import JSONText

/// Reading a WordPiece `tokenizer.json` (recipes.md §4b). Every unknown type or option is a
/// ``TokenizationError`` naming the file and the field.
extension WordPieceTokenizer {
    /// Loads `tokenizer.json`, or the one inside an HF model directory.
    /// - Throws: ``TokenizationError`` naming the file when it is missing, malformed or unsupported.
    public static func load(contentsOf url: URL) throws -> WordPieceTokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizationError.unreadable(path: url.path, reason: "no such file or directory")
        }
        let file = isDirectory.boolValue ? url.appendingPathComponent("tokenizer.json") : url
        return try WordPieceTokenizer(tokenizerJSON: BPETokenizer.readData(file), source: file.path)
    }

    /// True when `data` is a tokenizer.json whose model is WordPiece (cheap: parses the JSON once).
    public static func isWordPiece(_ data: Data) -> Bool {
        (try? JSONValue.parse(data))?["model"]?["type"]?.stringValue == "WordPiece"
    }

    /// Parses the contents of a WordPiece `tokenizer.json`; `source` names it in errors.
    public init(tokenizerJSON data: Data, source: String = "tokenizer.json") throws {
        let root = try BPETokenizer.parseObject(data, source: source)
        func invalid(_ field: String, _ reason: String) -> TokenizationError { .invalidField(path: source, field: field, reason: reason) }
        guard let model = root["model"]?.objectValue else { throw invalid("model", "is missing or not an object") }
        guard let type = model["type"]?.stringValue, type == "WordPiece" else {
            throw TokenizationError.unsupported(path: source, feature: "model type '\(model["type"]?.stringValue ?? "untyped")' in a WordPiece reader")
        }
        guard let vocabObject = model["vocab"]?.objectValue else { throw invalid("model.vocab", "is missing or not an object of token → id") }
        let members = try BPETokenizer.members(vocabObject, source: source)
        // Added tokens.
        var added: [AddedToken] = []
        if let list = root["added_tokens"], list != .null {
            guard let items = list.arrayValue, case let list = items.compactMap(\.objectValue), list.count == items.count else {
                throw invalid("added_tokens", "is not a list of objects")
            }
            for (i, t) in list.enumerated() {
                guard let id = t["id"]?.intValue, let content = t["content"]?.stringValue, !content.isEmpty else {
                    throw invalid("added_tokens[\(i)]", "needs an integer 'id' and a non-empty string 'content'")
                }
                let special = t["special"]?.boolValue ?? false
                added.append(AddedToken(
                    id: id, content: content, special: special, singleWord: t["single_word"]?.boolValue ?? false,
                    lstrip: t["lstrip"]?.boolValue ?? false, rstrip: t["rstrip"]?.boolValue ?? false,
                    normalized: t["normalized"]?.boolValue ?? !special))
            }
        }
        // Ids: vocabulary and added tokens together must be 0..<n, each id one string.
        let count = max(members.count, (added.map(\.id).max() ?? -1) + 1)
        guard count <= 1 << 24 else { throw invalid("model.vocab", "has \(count) ids, more than Lathe's limit of 16,777,216") }
        var tokens = [String?](repeating: nil, count: count)
        var vocab: [[UInt8]: Int32] = [:]
        vocab.reserveCapacity(count)
        for (token, id) in members {
            guard id >= 0, id < count else { throw invalid("model.vocab", "gives '\(token)' the id \(id), outside 0..<\(count) (ids must have no gaps)") }
            if let other = tokens[id], other.utf8.elementsEqual(token.utf8) == false {
                throw invalid("model.vocab", "gives the id \(id) to both '\(other)' and '\(token)'")
            }
            tokens[id] = token
            if vocab[Array(token.utf8)] == nil { vocab[Array(token.utf8)] = Int32(id) }
        }
        for t in added {
            guard t.id >= 0 else { throw invalid("added_tokens", "gives '\(t.content)' the negative id \(t.id)") }
            if let other = tokens[t.id], !other.utf8.elementsEqual(t.content.utf8) {
                throw invalid("added_tokens", "gives '\(t.content)' the id \(t.id), which the vocabulary gives to '\(other)'")
            }
            tokens[t.id] = t.content
            if vocab[Array(t.content.utf8)] == nil { vocab[Array(t.content.utf8)] = Int32(t.id) }
        }
        if let gap = tokens.firstIndex(where: { $0 == nil }) {
            throw invalid("model.vocab", "has no token with the id \(gap) (ids must be 0..<\(count) without gaps)")
        }
        // Model options.
        let unk = model["unk_token"]?.stringValue ?? "[UNK]"
        guard let unkId = vocab[Array(unk.utf8)] else { throw invalid("model.unk_token", "is '\(unk)', which is not in the vocabulary") }
        let prefix = model["continuing_subword_prefix"]?.stringValue ?? "##"
        let maxChars = model["max_input_chars_per_word"]?.intValue ?? 100
        guard maxChars >= 1 else { throw invalid("model.max_input_chars_per_word", "is \(maxChars); it must be at least 1") }
        let normalizer = try Self.readNormalizer(root["normalizer"], source: source)
        try Self.checkPreTokenizer(root["pre_tokenizer"], source: source)
        let template = try Self.readTemplate(root["post_processor"], vocab: vocab, count: count, source: source)
        let cleanup = try Self.readDecoder(root["decoder"], prefix: prefix, source: source)
        var maxLength: Int?
        if let truncation = root["truncation"]?.objectValue { maxLength = truncation["max_length"]?.intValue }
        var padId = vocab[Array("[PAD]".utf8)].map(Int.init) ?? 0
        if let padding = root["padding"]?.objectValue, let id = padding["pad_id"]?.intValue {
            guard id >= 0, id < count else { throw invalid("padding.pad_id", "is \(id), outside the vocabulary of \(count)") }
            padId = id
        }
        self.init(
            tokens: tokens.map { $0! }, vocab: vocab, normalizer: normalizer, prefix: prefix, maxInputCharsPerWord: maxChars,
            unkId: Int(unkId), addedTokens: added, template: template, decoderCleanup: cleanup, maxLength: maxLength, padId: padId)
    }

    static func readNormalizer(_ value: JSONValue?, source: String) throws -> BertNormalizer? {
        guard let value, value != .null else { return nil }
        guard let o = value.objectValue, let type = o["type"]?.stringValue else {
            throw TokenizationError.invalidField(path: source, field: "normalizer", reason: "is not an object with a string 'type'")
        }
        guard type == "BertNormalizer" else {
            throw TokenizationError.unsupported(path: source, feature: "normalizer type '\(type)' with a WordPiece model (Lathe implements BertNormalizer)")
        }
        let strip: Bool? = o["strip_accents"]?.boolValue
        return BertNormalizer(
            cleanText: o["clean_text"]?.boolValue ?? true, handleChineseChars: o["handle_chinese_chars"]?.boolValue ?? true,
            stripAccents: strip, lowercase: o["lowercase"]?.boolValue ?? true)
    }

    static func checkPreTokenizer(_ value: JSONValue?, source: String) throws {
        let type = value?["type"]?.stringValue
        guard type == "BertPreTokenizer" else {
            throw TokenizationError.unsupported(
                path: source, feature: "pre_tokenizer '\(type ?? "null")' with a WordPiece model (Lathe implements BertPreTokenizer)")
        }
    }

    /// `TemplateProcessing`, `BertProcessing` or null.
    static func readTemplate(_ value: JSONValue?, vocab: [[UInt8]: Int32], count: Int, source: String) throws -> EncoderTemplate {
        guard let value, value != .null else { return .plain }
        func invalid(_ field: String, _ reason: String) -> TokenizationError { .invalidField(path: source, field: field, reason: reason) }
        guard let o = value.objectValue, let type = o["type"]?.stringValue else { throw invalid("post_processor", "is not an object with a string 'type'") }
        switch type {
        case "BertProcessing":
            func special(_ key: String) throws -> Int {
                guard let pair = o[key]?.arrayValue, pair.count == 2, let id = pair[1].intValue, id >= 0, id < count else {
                    throw invalid("post_processor.\(key)", "is not [token, id] with an id inside the vocabulary")
                }
                return id
            }
            return .bert(cls: try special("cls"), sep: try special("sep"))
        case "TemplateProcessing":
            var specials: [String: [Int]] = [:]
            if let map = o["special_tokens"]?.objectValue {
                for (name, entry) in map {
                    guard let ids = entry["ids"]?.arrayValue else {
                        throw invalid("post_processor.special_tokens.\(name)", "has no 'ids' list")
                    }
                    specials[name] = try ids.map {
                        guard let id = $0.intValue, id >= 0, id < count else {
                            throw invalid("post_processor.special_tokens.\(name).ids", "holds an id outside the vocabulary of \(count)")
                        }
                        return id
                    }
                }
            }
            func pieces(_ key: String) throws -> [EncoderTemplate.Piece] {
                guard let list = o[key]?.arrayValue else { throw invalid("post_processor.\(key)", "is missing or not a list") }
                return try list.enumerated().map { i, entry in
                    let field = "post_processor.\(key)[\(i)]"
                    if let s = entry["SpecialToken"]?.objectValue, let name = s["id"]?.stringValue {
                        guard let ids = specials[name] ?? vocab[Array(name.utf8)].map({ [Int($0)] }) else {
                            throw invalid(field, "names the special token '\(name)', which neither special_tokens nor the vocabulary has")
                        }
                        return .special(ids: ids, typeId: s["type_id"]?.intValue ?? 0)
                    }
                    if let s = entry["Sequence"]?.objectValue, let id = s["id"]?.stringValue, id == "A" || id == "B" {
                        return .sequence(second: id == "B", typeId: s["type_id"]?.intValue ?? 0)
                    }
                    throw invalid(field, "is neither {\"SpecialToken\": {\"id\": …}} nor {\"Sequence\": {\"id\": \"A\" or \"B\"}}")
                }
            }
            let single = try pieces("single")
            let pair = try pieces("pair")
            guard single.allSatisfy({ $0 != .sequence(second: true, typeId: 0) && $0 != .sequence(second: true, typeId: 1) }) else {
                throw invalid("post_processor.single", "uses the second sequence B")
            }
            return EncoderTemplate(single: single, pair: pair)
        default:
            throw TokenizationError.unsupported(
                path: source, feature: "post_processor type '\(type)' with a WordPiece model (Lathe implements TemplateProcessing and BertProcessing)")
        }
    }

    /// The WordPiece decoder's `cleanup` flag (null decoder: no cleanup).
    static func readDecoder(_ value: JSONValue?, prefix: String, source: String) throws -> Bool {
        guard let value, value != .null else { return false }
        guard let o = value.objectValue, o["type"]?.stringValue == "WordPiece" else {
            throw TokenizationError.unsupported(
                path: source, feature: "decoder '\(BPETokenizer.typeName(value))' with a WordPiece model (Lathe implements the WordPiece decoder)")
        }
        if let p = o["prefix"]?.stringValue, p != prefix {
            throw TokenizationError.unsupported(path: source, feature: "decoder.prefix '\(p)' different from model.continuing_subword_prefix '\(prefix)'")
        }
        return o["cleanup"]?.boolValue ?? true
    }
}
