public import Foundation

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
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let model = root["model"] as? [String: Any]
        else { return false }
        return model["type"] as? String == "WordPiece"
    }

    /// Parses the contents of a WordPiece `tokenizer.json`; `source` names it in errors.
    public init(tokenizerJSON data: Data, source: String = "tokenizer.json") throws {
        let root = try BPETokenizer.parseObject(data, source: source)
        func invalid(_ field: String, _ reason: String) -> TokenizationError { .invalidField(path: source, field: field, reason: reason) }
        guard let model = root["model"] as? [String: Any] else { throw invalid("model", "is missing or not an object") }
        guard let type = model["type"] as? String, type == "WordPiece" else {
            throw TokenizationError.unsupported(path: source, feature: "model type '\((model["type"] as? String) ?? "untyped")' in a WordPiece reader")
        }
        guard let vocabObject = model["vocab"] as? [String: Any] else { throw invalid("model.vocab", "is missing or not an object of token → id") }
        let members = try BPETokenizer.exactMembers(vocabObject, in: data, at: ["model", "vocab"], source: source)
        // Added tokens.
        var added: [AddedToken] = []
        if let list = root["added_tokens"], !(list is NSNull) {
            guard let list = list as? [[String: Any]] else { throw invalid("added_tokens", "is not a list of objects") }
            for (i, t) in list.enumerated() {
                guard let id = BPETokenizer.intValue(t["id"]), let content = t["content"] as? String, !content.isEmpty else {
                    throw invalid("added_tokens[\(i)]", "needs an integer 'id' and a non-empty string 'content'")
                }
                let special = (t["special"] as? Bool) ?? false
                added.append(AddedToken(
                    id: id, content: content, special: special, singleWord: (t["single_word"] as? Bool) ?? false,
                    lstrip: (t["lstrip"] as? Bool) ?? false, rstrip: (t["rstrip"] as? Bool) ?? false,
                    normalized: (t["normalized"] as? Bool) ?? !special))
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
        let unk = (model["unk_token"] as? String) ?? "[UNK]"
        guard let unkId = vocab[Array(unk.utf8)] else { throw invalid("model.unk_token", "is '\(unk)', which is not in the vocabulary") }
        let prefix = (model["continuing_subword_prefix"] as? String) ?? "##"
        let maxChars = BPETokenizer.intValue(model["max_input_chars_per_word"]) ?? 100
        guard maxChars >= 1 else { throw invalid("model.max_input_chars_per_word", "is \(maxChars); it must be at least 1") }
        let normalizer = try Self.readNormalizer(root["normalizer"], source: source)
        try Self.checkPreTokenizer(root["pre_tokenizer"], source: source)
        let template = try Self.readTemplate(root["post_processor"], vocab: vocab, count: count, source: source)
        let cleanup = try Self.readDecoder(root["decoder"], prefix: prefix, source: source)
        var maxLength: Int?
        if let truncation = root["truncation"] as? [String: Any] { maxLength = BPETokenizer.intValue(truncation["max_length"]) }
        var padId = vocab[Array("[PAD]".utf8)].map(Int.init) ?? 0
        if let padding = root["padding"] as? [String: Any], let id = BPETokenizer.intValue(padding["pad_id"]) {
            guard id >= 0, id < count else { throw invalid("padding.pad_id", "is \(id), outside the vocabulary of \(count)") }
            padId = id
        }
        self.init(
            tokens: tokens.map { $0! }, vocab: vocab, normalizer: normalizer, prefix: prefix, maxInputCharsPerWord: maxChars,
            unkId: Int(unkId), addedTokens: added, template: template, decoderCleanup: cleanup, maxLength: maxLength, padId: padId)
    }

    static func readNormalizer(_ value: Any?, source: String) throws -> BertNormalizer? {
        guard let value, !(value is NSNull) else { return nil }
        guard let o = value as? [String: Any], let type = o["type"] as? String else {
            throw TokenizationError.invalidField(path: source, field: "normalizer", reason: "is not an object with a string 'type'")
        }
        guard type == "BertNormalizer" else {
            throw TokenizationError.unsupported(path: source, feature: "normalizer type '\(type)' with a WordPiece model (Lathe implements BertNormalizer)")
        }
        let strip: Bool? = o["strip_accents"] is NSNull ? nil : o["strip_accents"] as? Bool
        return BertNormalizer(
            cleanText: (o["clean_text"] as? Bool) ?? true, handleChineseChars: (o["handle_chinese_chars"] as? Bool) ?? true,
            stripAccents: strip, lowercase: (o["lowercase"] as? Bool) ?? true)
    }

    static func checkPreTokenizer(_ value: Any?, source: String) throws {
        let type = (value as? [String: Any])?["type"] as? String
        guard type == "BertPreTokenizer" else {
            throw TokenizationError.unsupported(
                path: source, feature: "pre_tokenizer '\(type ?? "null")' with a WordPiece model (Lathe implements BertPreTokenizer)")
        }
    }

    /// `TemplateProcessing`, `BertProcessing` or null.
    static func readTemplate(_ value: Any?, vocab: [[UInt8]: Int32], count: Int, source: String) throws -> EncoderTemplate {
        guard let value, !(value is NSNull) else { return .plain }
        func invalid(_ field: String, _ reason: String) -> TokenizationError { .invalidField(path: source, field: field, reason: reason) }
        guard let o = value as? [String: Any], let type = o["type"] as? String else { throw invalid("post_processor", "is not an object with a string 'type'") }
        switch type {
        case "BertProcessing":
            func special(_ key: String) throws -> Int {
                guard let pair = o[key] as? [Any], pair.count == 2, let id = BPETokenizer.intValue(pair[1]), id >= 0, id < count else {
                    throw invalid("post_processor.\(key)", "is not [token, id] with an id inside the vocabulary")
                }
                return id
            }
            return .bert(cls: try special("cls"), sep: try special("sep"))
        case "TemplateProcessing":
            var specials: [String: [Int]] = [:]
            if let map = o["special_tokens"] as? [String: Any] {
                for (name, entry) in map {
                    guard let ids = (entry as? [String: Any])?["ids"] as? [Any] else {
                        throw invalid("post_processor.special_tokens.\(name)", "has no 'ids' list")
                    }
                    specials[name] = try ids.map {
                        guard let id = BPETokenizer.intValue($0), id >= 0, id < count else {
                            throw invalid("post_processor.special_tokens.\(name).ids", "holds an id outside the vocabulary of \(count)")
                        }
                        return id
                    }
                }
            }
            func pieces(_ key: String) throws -> [EncoderTemplate.Piece] {
                guard let list = o[key] as? [Any] else { throw invalid("post_processor.\(key)", "is missing or not a list") }
                return try list.enumerated().map { i, entry in
                    let field = "post_processor.\(key)[\(i)]"
                    if let s = (entry as? [String: Any])?["SpecialToken"] as? [String: Any], let name = s["id"] as? String {
                        guard let ids = specials[name] ?? vocab[Array(name.utf8)].map({ [Int($0)] }) else {
                            throw invalid(field, "names the special token '\(name)', which neither special_tokens nor the vocabulary has")
                        }
                        return .special(ids: ids, typeId: BPETokenizer.intValue(s["type_id"]) ?? 0)
                    }
                    if let s = (entry as? [String: Any])?["Sequence"] as? [String: Any], let id = s["id"] as? String, id == "A" || id == "B" {
                        return .sequence(second: id == "B", typeId: BPETokenizer.intValue(s["type_id"]) ?? 0)
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
    static func readDecoder(_ value: Any?, prefix: String, source: String) throws -> Bool {
        guard let value, !(value is NSNull) else { return false }
        guard let o = value as? [String: Any], o["type"] as? String == "WordPiece" else {
            throw TokenizationError.unsupported(
                path: source, feature: "decoder '\(BPETokenizer.typeName(value))' with a WordPiece model (Lathe implements the WordPiece decoder)")
        }
        if let p = o["prefix"] as? String, p != prefix {
            throw TokenizationError.unsupported(path: source, feature: "decoder.prefix '\(p)' different from model.continuing_subword_prefix '\(prefix)'")
        }
        return (o["cleanup"] as? Bool) ?? true
    }
}
