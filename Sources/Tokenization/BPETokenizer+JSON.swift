public import Foundation

/// Reading HF `tokenizer.json` (recipes.md §4b) and the legacy `vocab.json` + `merges.txt` pair.
extension BPETokenizer {
    /// Loads a tokenizer from a `tokenizer.json` file, or from an HF model directory holding
    /// `tokenizer.json` (preferred) or `vocab.json` + `merges.txt`.
    /// - Throws: ``TokenizationError`` naming the file when it is missing, malformed or unsupported.
    public static func load(contentsOf url: URL) throws -> BPETokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizationError.unreadable(path: url.path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return try BPETokenizer(tokenizerJSON: readData(url), source: url.path) }
        let json = url.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json.path) {
            return try BPETokenizer(tokenizerJSON: readData(json), source: json.path)
        }
        let vocab = url.appendingPathComponent("vocab.json")
        let merges = url.appendingPathComponent("merges.txt")
        guard FileManager.default.fileExists(atPath: vocab.path), FileManager.default.fileExists(atPath: merges.path) else {
            throw TokenizationError.unreadable(
                path: url.path, reason: "the directory has neither tokenizer.json nor vocab.json + merges.txt")
        }
        return try BPETokenizer(vocabJSON: readData(vocab), mergesText: readData(merges), source: url.path)
    }

    /// Parses the contents of a `tokenizer.json`; `source` names it in errors.
    public init(tokenizerJSON data: Data, source: String = "tokenizer.json") throws {
        let root = try Self.parseObject(data, source: source)
        if let normalizer = root["normalizer"], !(normalizer is NSNull) {
            throw TokenizationError.unsupported(path: source, feature: "a normalizer (\(Self.typeName(normalizer)))")
        }
        try Self.checkByteLevel(root["pre_tokenizer"], field: "pre_tokenizer", source: source, required: true)
        try Self.checkByteLevel(root["decoder"], field: "decoder", source: source, required: false)
        try Self.checkByteLevel(root["post_processor"], field: "post_processor", source: source, required: false)
        guard let model = root["model"] as? [String: Any] else {
            throw TokenizationError.invalidField(path: source, field: "model", reason: "is missing or not an object")
        }
        if let type = model["type"] as? String, type != "BPE" {
            throw TokenizationError.unsupported(path: source, feature: "model type '\(type)'")
        }
        for field in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[field] as? String, !v.isEmpty {
                throw TokenizationError.unsupported(path: source, feature: "model.\(field) '\(v)'")
            }
        }
        if let fallback = model["byte_fallback"] as? Bool, fallback {
            throw TokenizationError.unsupported(path: source, feature: "model.byte_fallback")
        }
        guard let vocab = model["vocab"] as? [String: Any] else {
            throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "is missing or not an object of token → id")
        }
        guard let mergeList = model["merges"] as? [Any] else {
            throw TokenizationError.invalidField(path: source, field: "model.merges", reason: "is missing or not a list")
        }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(mergeList.count)
        for (i, entry) in mergeList.enumerated() {
            if let line = entry as? String {
                if line.hasPrefix("#version") { continue }
                guard let pair = Self.splitLegacyMerge(line) else {
                    throw TokenizationError.badMerge(path: source, index: i, reason: "'\(line)' is not two tokens separated by one space")
                }
                pairs.append(pair)
            } else if let pair = entry as? [Any], pair.count == 2, let l = pair[0] as? String, let r = pair[1] as? String {
                pairs.append((l, r))
            } else {
                throw TokenizationError.badMerge(path: source, index: i, reason: "is neither \"left right\" nor [\"left\", \"right\"]")
            }
        }
        var added: [AddedToken] = []
        if let list = root["added_tokens"] {
            guard let list = list as? [[String: Any]] else {
                throw TokenizationError.invalidField(path: source, field: "added_tokens", reason: "is not a list of objects")
            }
            for (i, t) in list.enumerated() {
                guard let id = Self.intValue(t["id"]), let content = t["content"] as? String else {
                    throw TokenizationError.invalidField(path: source, field: "added_tokens[\(i)]", reason: "needs an integer 'id' and a string 'content'")
                }
                added.append(AddedToken(id: id, content: content, special: (t["special"] as? Bool) ?? false))
            }
        }
        try self.init(vocab: vocab, merges: pairs, added: added, ignoreMerges: (model["ignore_merges"] as? Bool) ?? false, source: source)
    }

    /// Parses a legacy `vocab.json` + `merges.txt` pair (first line `#version: 0.2`).
    public init(vocabJSON: Data, mergesText: Data, source: String) throws {
        let vocab = try Self.parseObject(vocabJSON, source: source + "/vocab.json")
        var pairs: [(String, String)] = []
        let text = String(decoding: mergesText, as: UTF8.self)
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
            if line.isEmpty || line.hasPrefix("#version") { continue }
            guard let pair = Self.splitLegacyMerge(line) else {
                throw TokenizationError.badMerge(path: source + "/merges.txt:\(i + 1)", index: pairs.count, reason: "'\(line)' is not two tokens separated by one space")
            }
            pairs.append(pair)
        }
        let eot = vocab[BPETrainer.defaultSpecialToken].flatMap(Self.intValue)
        let added = eot.map { [AddedToken(id: $0, content: BPETrainer.defaultSpecialToken)] } ?? []
        try self.init(vocab: vocab, merges: pairs, added: added, ignoreMerges: false, source: source)
    }

    /// Shared tail of both readers: ids must be 0..<n without gaps.
    init(vocab: [String: Any], merges pairs: [(String, String)], added: [AddedToken], ignoreMerges: Bool, source: String) throws {
        var byId = [String?](repeating: nil, count: vocab.count + added.count)
        func place(_ token: String, _ id: Int) throws {
            guard id >= 0, id < byId.count else {
                throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "gives '\(token)' the id \(id), outside 0..<\(byId.count); ids must be contiguous from 0")
            }
            if let existing = byId[id], existing != token {
                throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "gives the id \(id) to both '\(existing)' and '\(token)'")
            }
            byId[id] = token
        }
        for (token, value) in vocab {
            guard let id = Self.intValue(value) else {
                throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "maps '\(token)' to a non-integer")
            }
            try place(token, id)
        }
        let addedIds = Set(added.map(\.id))
        for t in added where byId.indices.contains(t.id) && byId[t.id] == nil { byId[t.id] = t.content }
        while let last = byId.last, last == nil { byId.removeLast() }
        var bytes: [[UInt8]] = []
        var idOf: [String: Int] = [:]
        for (id, token) in byId.enumerated() {
            guard let token else {
                throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "has no token with id \(id); ids must be contiguous from 0")
            }
            bytes.append(addedIds.contains(id) ? Array(token.utf8) : ByteLevel.decode(token))
            if idOf[token] == nil { idOf[token] = id }
        }
        var merges: [BPEMerge] = []
        merges.reserveCapacity(pairs.count)
        for (i, (l, r)) in pairs.enumerated() {
            guard let left = idOf[l], let right = idOf[r] else {
                throw TokenizationError.badMerge(path: source, index: i, reason: "'\(l) \(r)' uses a token that is not in model.vocab")
            }
            merges.append(BPEMerge(left, right))
        }
        try self.init(tokenBytes: bytes, merges: merges, addedTokens: added, ignoreMerges: ignoreMerges, source: source)
    }

    static func splitLegacyMerge(_ line: String) -> (String, String)? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    /// Requires `value` to be null/absent (when allowed) or `{"type": "ByteLevel", ...}` with the
    /// GPT-2 settings Lathe implements.
    static func checkByteLevel(_ value: Any?, field: String, source: String, required: Bool) throws {
        guard let value, !(value is NSNull) else {
            if required { throw TokenizationError.unsupported(path: source, feature: "a missing \(field) (Lathe needs ByteLevel)") }
            return
        }
        guard let object = value as? [String: Any], object["type"] as? String == "ByteLevel" else {
            throw TokenizationError.unsupported(path: source, feature: "\(field) '\(typeName(value))'")
        }
        if field == "pre_tokenizer" {
            if (object["add_prefix_space"] as? Bool) == true {
                throw TokenizationError.unsupported(path: source, feature: "pre_tokenizer.add_prefix_space = true")
            }
            if (object["use_regex"] as? Bool) == false {
                throw TokenizationError.unsupported(path: source, feature: "pre_tokenizer.use_regex = false")
            }
        }
    }

    static func typeName(_ value: Any) -> String {
        ((value as? [String: Any])?["type"] as? String) ?? "untyped"
    }

    static func intValue(_ value: Any?) -> Int? {
        if let n = value as? Int { return n }
        if let n = value as? NSNumber, n.doubleValue == n.doubleValue.rounded() { return n.intValue }
        return nil
    }

    static func readData(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizationError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Parses a JSON object, turning parser errors into a `path:line` message.
    static func parseObject(_ data: Data, source: String) throws -> [String: Any] {
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            let reason = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw TokenizationError.malformedJSON(path: source, line: lineNumber(in: reason, data: data), reason: reason)
        }
        guard let object = parsed as? [String: Any] else {
            throw TokenizationError.invalidField(path: source, field: "(top level)", reason: "must be a JSON object")
        }
        return object
    }

    /// The 1-based line of a parser message ("line N", or "character N" counted in `data`), or 0.
    static func lineNumber(in message: String, data: Data) -> Int {
        if let range = message.range(of: "line "), let n = Int(message[range.upperBound...].prefix { $0.isNumber }) {
            return n
        }
        guard let range = message.range(of: "character "),
            let offset = Int(message[range.upperBound...].prefix { $0.isNumber })
        else { return 0 }
        return 1 + data.prefix(offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
}
