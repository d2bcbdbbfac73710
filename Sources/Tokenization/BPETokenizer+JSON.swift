public import Foundation
import Files
import JSONText

/// Reading HF `tokenizer.json` (recipes.md §4b) and the legacy `vocab.json` + `merges.txt` pair.
extension BPETokenizer {
    /// Loads a tokenizer from a `tokenizer.json` file, or from an HF model directory holding
    /// `tokenizer.json` (preferred) or `vocab.json` + `merges.txt`. A `tokenizer_config.json` beside
    /// the tokenizer.json sets ``bosTokenId`` / ``eosTokenId`` from its `bos_token` / `eos_token`.
    /// - Throws: ``TokenizationError`` naming the file when it is missing, malformed or unsupported.
    public static func load(contentsOf url: URL) throws -> BPETokenizer {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw TokenizationError.unreadable(path: url.path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else {
            return try BPETokenizer(tokenizerJSON: readData(url), source: url.path).configured(by: url.deletingLastPathComponent())
        }
        let json = url.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json.path) {
            return try BPETokenizer(tokenizerJSON: readData(json), source: json.path).configured(by: url)
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
    ///
    /// Reads GPT-2-style files (Lathe's own, GPT-2), byte-level BPE with other pre-tokenizers
    /// (SmolLM2's `Digits` + `ByteLevel`, Llama 3's and Qwen2's `Split`) and SentencePiece-style BPE
    /// (`Prepend` + `Replace` normalizers or `Metaspace`, `byte_fallback`; Llama 2, Mistral,
    /// TinyLlama). A file whose pipeline is GPT-2's is written back in Lathe's layout; any other is
    /// kept and written back byte for byte.
    public init(tokenizerJSON data: Data, source: String = "tokenizer.json") throws {
        let root = try Self.parseObject(data, source: source)
        let reader = PipelineReader(source: source)
        guard let model = root["model"]?.objectValue else {
            throw TokenizationError.invalidField(path: source, field: "model", reason: "is missing or not an object")
        }
        if let type = model["type"]?.stringValue, type != "BPE" {
            throw TokenizationError.unsupported(path: source, feature: "model type '\(type)'")
        }
        for field in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = model[field]?.stringValue, !v.isEmpty {
                throw TokenizationError.unsupported(path: source, feature: "model.\(field) '\(v)'")
            }
        }
        if let dropout = model["dropout"]?.doubleValue, dropout != 0 {
            throw TokenizationError.unsupported(path: source, feature: "model.dropout \(dropout) (BPE dropout is for training only; set it to null)")
        }
        let preTokenizer = try reader.preTokenizer(root["pre_tokenizer"])
        for (i, step) in preTokenizer.enumerated() {
            if case .byteLevel = step, i != preTokenizer.count - 1 {
                throw TokenizationError.unsupported(path: source, feature: "pre_tokenizer with ByteLevel before other pre-tokenizers (ByteLevel must come last)")
            }
        }
        let pipeline = TokenizerPipeline(
            normalizers: try reader.normalizers(root["normalizer"]), preTokenizer: preTokenizer,
            byteFallback: model["byte_fallback"]?.boolValue ?? false,
            unkToken: model["unk_token"]?.stringValue, fuseUnk: model["fuse_unk"]?.boolValue ?? false,
            decoder: TokenDecoder(try reader.decoder(root["decoder"])), template: try reader.template(root["post_processor"]))
        guard let vocab = model["vocab"]?.objectValue else {
            throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "is missing or not an object of token → id")
        }
        guard let mergeList = model["merges"]?.arrayValue else {
            throw TokenizationError.invalidField(path: source, field: "model.merges", reason: "is missing or not a list")
        }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(mergeList.count)
        for (i, entry) in mergeList.enumerated() {
            if let line = entry.stringValue {
                if line.hasPrefix("#version") { continue }
                guard let pair = Self.splitLegacyMerge(line) else {
                    throw TokenizationError.badMerge(path: source, index: i, reason: "'\(line)' is not two tokens separated by one space")
                }
                pairs.append(pair)
            } else if let pair = entry.arrayValue, pair.count == 2, let l = pair[0].stringValue, let r = pair[1].stringValue {
                pairs.append((l, r))
            } else {
                throw TokenizationError.badMerge(path: source, index: i, reason: "is neither \"left right\" nor [\"left\", \"right\"]")
            }
        }
        var added: [AddedToken] = []
        if let list = root["added_tokens"], list != .null {
            guard let items = list.arrayValue, case let list = items.compactMap(\.objectValue), list.count == items.count else {
                throw TokenizationError.invalidField(path: source, field: "added_tokens", reason: "is not a list of objects")
            }
            for (i, t) in list.enumerated() {
                guard let id = t["id"]?.intValue, let content = t["content"]?.stringValue else {
                    throw TokenizationError.invalidField(path: source, field: "added_tokens[\(i)]", reason: "needs an integer 'id' and a string 'content'")
                }
                let special = t["special"]?.boolValue ?? false
                added.append(AddedToken(
                    id: id, content: content, special: special, singleWord: t["single_word"]?.boolValue ?? false,
                    lstrip: t["lstrip"]?.boolValue ?? false, rstrip: t["rstrip"]?.boolValue ?? false,
                    normalized: t["normalized"]?.boolValue ?? !special))
            }
        }
        let ignoreMerges = model["ignore_merges"]?.boolValue ?? false
        let members = try Self.members(vocab, source: source)
        if pipeline == .gpt2 && added.allSatisfy({ !$0.singleWord && !$0.lstrip && !$0.rstrip }) {
            try self.init(vocab: members, merges: pairs, added: added, ignoreMerges: ignoreMerges, source: source)
        } else {
            try self.init(
                vocab: members, merges: pairs, added: added, ignoreMerges: ignoreMerges, pipeline: pipeline,
                originalJSON: String(decoding: data, as: UTF8.self), source: source)
        }
    }

    /// This tokenizer with bos / eos from `directory/tokenizer_config.json` when that file names
    /// tokens of this vocabulary (`"bos_token": "<|im_start|>"` or `{"content": …}`); unchanged
    /// when the file is absent or unreadable (it is optional in HF folders).
    func configured(by directory: URL) -> BPETokenizer {
        let url = directory.appendingPathComponent("tokenizer_config.json")
        guard let bytes = try? RegularFile.read(url.path), case .object(let object)? = try? JSONValue.parse(bytes) else { return self }
        func id(_ key: String) -> Int? {
            guard let name = object[key]?.stringValue ?? object[key]?["content"]?.stringValue else { return nil }
            return addedTokenId(name) ?? (0..<vocabSize).first { tokenString($0) == name }
        }
        return withSpecialTokens(bos: id("bos_token"), eos: id("eos_token"))
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
        let eot = vocab[BPETrainer.defaultSpecialToken]?.intValue
        let added = eot.map { [AddedToken(id: $0, content: BPETrainer.defaultSpecialToken)] } ?? []
        let members = try Self.members(vocab, source: source + "/vocab.json")
        try self.init(vocab: members, merges: pairs, added: added, ignoreMerges: false, source: source)
    }

    /// The vocabulary's members in file order, every key exactly as written (JSONText keeps keys that
    /// are canonically equal, "é" and "e\u{301}", apart, as `tokenizers` does).
    /// - Throws: when a value is not an integer id.
    static func members(_ vocab: JSONObject, source: String) throws -> [(key: String, value: Int)] {
        var members: [(key: String, value: Int)] = []
        members.reserveCapacity(vocab.count)
        for (token, value) in vocab {
            guard let id = value.intValue else {
                throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "maps '\(token)' to a non-integer")
            }
            members.append((token, id))
        }
        return members
    }

    /// Shared tail of both readers: ids must be 0..<n without gaps. With a `pipeline`, the
    /// tokenizer keeps its vocabulary strings and `originalJSON`.
    init(
        vocab: [(key: String, value: Int)], merges pairs: [(String, String)], added: [AddedToken], ignoreMerges: Bool,
        pipeline: TokenizerPipeline? = nil, originalJSON: String? = nil, source: String
    ) throws {
        // Strings are compared as UTF-8 bytes throughout: `String` equality is canonical equivalence.
        var byId = [String?](repeating: nil, count: vocab.count + added.count)
        func place(_ token: String, _ id: Int) throws {
            guard id >= 0, id < byId.count else {
                throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "gives '\(token)' the id \(id), outside 0..<\(byId.count); ids must be contiguous from 0")
            }
            if let existing = byId[id], !existing.utf8.elementsEqual(token.utf8) {
                throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "gives the id \(id) to both '\(existing)' and '\(token)'")
            }
            byId[id] = token
        }
        for (token, id) in vocab { try place(token, id) }
        let addedIds = Set(added.map(\.id))
        for t in added where byId.indices.contains(t.id) && byId[t.id] == nil { byId[t.id] = t.content }
        while let last = byId.last, last == nil { byId.removeLast() }
        var strings: [String] = []
        strings.reserveCapacity(byId.count)
        var idOf: [[UInt8]: Int] = [:]
        for (id, token) in byId.enumerated() {
            guard let token else {
                throw TokenizationError.invalidField(path: source, field: "model.vocab", reason: "has no token with id \(id); ids must be contiguous from 0")
            }
            strings.append(token)
            let key = Array(token.utf8)
            if idOf[key] == nil || addedIds.contains(idOf[key]!) { idOf[key] = id }
        }
        var merges: [BPEMerge] = []
        merges.reserveCapacity(pairs.count)
        for (i, (l, r)) in pairs.enumerated() {
            guard let left = idOf[Array(l.utf8)], let right = idOf[Array(r.utf8)] else {
                throw TokenizationError.badMerge(path: source, index: i, reason: "'\(l) \(r)' uses a token that is not in model.vocab")
            }
            merges.append(BPEMerge(left, right))
        }
        guard let pipeline else {
            let bytes = strings.enumerated().map { addedIds.contains($0) ? Array($1.utf8) : ByteLevel.decode($1) }
            try self.init(tokenBytes: bytes, merges: merges, addedTokens: added, ignoreMerges: ignoreMerges, source: source)
            return
        }
        let byteLevel = pipeline.byteLevel
        let keys = strings.map { byteLevel ? ByteLevel.decode($0) : Array($0.utf8) }
        // HF's id → token for an added token matched in normalized text is its normalized content
        // (`▁[[custom]]` with Llama 2's Prepend), and that is what its decoder sees.
        if !pipeline.normalizers.isEmpty {
            var scratch: [UInt8] = []
            for t in added where t.normalized && strings.indices.contains(t.id) {
                var content: [UInt8] = []
                Array(t.content.utf8).withUnsafeBufferPointer { Normalizer.apply(pipeline.normalizers, to: $0, into: &content, scratch: &scratch) }
                strings[t.id] = String(decoding: content, as: UTF8.self)
            }
        }
        let decoded = strings.map { pipeline.decoder.decode(token: $0, first: false) }
        try self.init(
            tokenBytes: decoded, modelKeys: keys, merges: merges, addedTokens: added, ignoreMerges: ignoreMerges,
            pipeline: pipeline, tokenStrings: strings, originalJSON: originalJSON,
            outsideModel: addedIds.subtracting(vocab.map(\.value)), source: source)
    }

    static func splitLegacyMerge(_ line: String) -> (String, String)? {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (String(parts[0]), String(parts[1]))
    }

    static func typeName(_ value: JSONValue?) -> String {
        value?["type"]?.stringValue ?? "untyped"
    }

    static func readData(_ url: URL) throws -> Data {
        do {
            return try Data(contentsOf: url)
        } catch {
            throw TokenizationError.unreadable(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Parses a JSON object with JSONText's strict parser, turning parser errors into a `path:line`
    /// message (the line of the byte where the text went wrong).
    static func parseObject(_ data: Data, source: String) throws -> JSONObject {
        let bytes = [UInt8](data)
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(bytes)
        } catch {
            let line = 1 + bytes.prefix(error.offset).reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
            throw TokenizationError.malformedJSON(path: source, line: line, reason: "\(error.reason) at byte \(error.offset)")
        }
        guard case .object(let object) = parsed else {
            throw TokenizationError.invalidField(path: source, field: "(top level)", reason: "must be a JSON object")
        }
        return object
    }
}
