import Foundation
import Files

/// Reads a ``DatasetSpec``'s file into ``Example``s.
///
/// JSON inputs may be one array (`[` first) or JSON Lines (`{` first), told apart by the first
/// non-space byte. Errors carry `file:line` for JSONL and `file` plus the record number for arrays.
public enum DatasetReader {
    /// All examples of `spec`, in file order (capped by `maxSamples`).
    /// - Throws: ``DatasetError`` for unreadable files, malformed records, missing fields or an
    ///   empty result.
    public static func examples(_ spec: DatasetSpec) throws -> [Example] {
        var out: [Example]
        switch spec.type {
        case .completion: out = try completion(spec)
        case .alpaca, .dolly:
            out = spec.chatTemplate == nil ? try instructions(spec) : try conversations(spec)
        case .inputOutput: out = try instructions(spec)
        case .tokenized: out = try tokenized(spec)
        case .chat, .sharegpt: out = try conversations(spec)
        case .classification:
            // the texts alone (e.g. to train a tokenizer on); a pair is joined with a newline
            out = try ClassificationReader.read(spec).records.map { r in
                Example(segments: [.init(r.pair.map { r.text + "\n" + $0 } ?? r.text, trained: true)], appendEOS: true,
                        trainEOS: spec.trainOnEOS, source: r.source)
            }
        }
        if let cap = spec.maxSamples, out.count > cap { out.removeLast(out.count - cap) }
        guard !out.isEmpty else {
            throw DatasetError.empty(path: spec.path.path, reason: "no \(spec.type.rawValue) examples found")
        }
        return out
    }

    // MARK: completion

    static func completion(_ spec: DatasetSpec) throws -> [Example] {
        let path = spec.path.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError.unreadable(path: path, reason: "no such file or directory")
        }
        if isDirectory.boolValue {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".txt") }.sorted()
            return try names.flatMap { name in
                try textDocuments(spec, spec.path.appendingPathComponent(name))
            }
        }
        if spec.path.pathExtension == "txt" || spec.path.pathExtension == "" {
            return try textDocuments(spec, spec.path)
        }
        let field = spec.field ?? "text"
        return try records(spec.path, spec).map { record in
            Example(segments: [.init(try string(record, field, hint: "Set `field:` to the key that holds the text"), trained: true)],
                    appendEOS: true, trainEOS: spec.trainOnEOS, source: record.location)
        }
    }

    /// Documents of one `.txt` file: split on blank lines, or the whole file. Bytes are kept as-is.
    static func textDocuments(_ spec: DatasetSpec, _ url: URL) throws -> [Example] {
        let bytes = try read(url, spec)
        func example(_ doc: ArraySlice<UInt8>, line: Int) -> Example {
            Example(segments: [.init(bytes: Array(doc), trained: true)], appendEOS: true, trainEOS: spec.trainOnEOS,
                    source: "\(url.path):\(line)")
        }
        if spec.documentSplit == .wholeFile {
            return bytes.isEmpty ? [] : [example(bytes[...], line: 1)]
        }
        // Walk lines; a line of only spaces/tabs/CR ends the current document.
        var out: [Example] = []
        var docStart: Int?
        var docLine = 0
        var docEnd = 0
        var lineStart = 0
        var line = 1
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 0x0A { lineEnd += 1 }
            let blank = bytes[lineStart..<lineEnd].allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
            if spec.documentSplit == .line {
                if !blank { out.append(example(bytes[lineStart..<lineEnd], line: line)) }
            } else if blank {
                if let s = docStart { out.append(example(bytes[s..<docEnd], line: docLine)) }
                docStart = nil
            } else {
                if docStart == nil { docStart = lineStart; docLine = line }
                docEnd = lineEnd
            }
            lineStart = lineEnd + 1
            line += 1
        }
        if let s = docStart { out.append(example(bytes[s..<docEnd], line: docLine)) }
        return out
    }

    // MARK: instruction formats

    static func instructions(_ spec: DatasetSpec) throws -> [Example] {
        try records(spec.path, spec).map { record in
            var segments: [Example.Segment]
            if spec.type == .inputOutput, let list = record.object["segments"] {
                segments = try labeledSegments(list, record)
            } else {
                let (prompt, response) = try promptAndResponse(spec, record)
                segments = [.init(prompt, trained: spec.trainOnInputs), .init(response, trained: true)]
            }
            return Example(segments: segments, appendEOS: true, trainEOS: spec.trainOnEOS, source: record.location)
        }
    }

    /// The rendered prompt and the response of one record.
    static func promptAndResponse(_ spec: DatasetSpec, _ r: Record) throws -> (String, String) {
        switch spec.type {
        case .alpaca, .dolly:
            let (instruction, input, output) = try instructionFields(spec, r)
            return (spec.template.prompt(instruction: instruction, input: input), output)
        default:
            let hint = "input_output records are {input, output}, {prompt, completion} or {segments: [{text, label}]}"
            let input = try r.object["input"] != nil ? string(r, "input", hint: hint) : string(r, "prompt", hint: hint)
            let output = try r.object["output"] != nil ? string(r, "output", hint: hint) : string(r, "completion", hint: hint)
            return (input, output)
        }
    }

    /// Instruction, optional input and output of an alpaca or dolly record, under the spec's field names.
    static func instructionFields(_ spec: DatasetSpec, _ r: Record) throws -> (String, String?, String) {
        let dolly = spec.type == .dolly
        let names = (spec.fields.instruction ?? "instruction", spec.fields.input ?? (dolly ? "context" : "input"),
                     spec.fields.output ?? (dolly ? "response" : "output"))
        let hint = "\(dolly ? "Dolly" : "Alpaca") records are {\(names.0), \(names.1), \(names.2)}; name other fields with "
            + "`field_instruction`, `field_input` and `field_output`"
        return (try string(r, names.0, hint: hint), try optionalString(r, names.1), try string(r, names.2, hint: hint))
    }

    /// Axolotl template-free segments: `label: true` segments are trained.
    static func labeledSegments(_ value: Any, _ r: Record) throws -> [Example.Segment] {
        guard let list = value as? [[String: Any]] else {
            throw DatasetError.badRecord(path: r.path, line: r.line, reason: "'segments' must be a list of {text, label} objects\(r.suffix)")
        }
        return try list.map { item in
            guard let text = item["text"] as? String, let label = item["label"] as? Bool else {
                throw DatasetError.badRecord(path: r.path, line: r.line, reason: "each segment needs a string 'text' and a boolean 'label'\(r.suffix)")
            }
            return Example.Segment(text, trained: label)
        }
    }

    // MARK: records

    /// A parsed JSON object and where it came from.
    struct Record {
        var object: [String: Any]
        var path: String
        /// 1-based line for JSONL; 0 for array files.
        var line: Int
        /// 1-based index in an array file; 0 for JSONL.
        var index: Int
        var location: String { line > 0 ? "\(path):\(line)" : "\(path)#\(index)" }
        var suffix: String { index > 0 ? " (record #\(index))" : "" }
    }

    /// Bytes of a file read when only its first records are wanted (``DatasetSpec/recordLimit``).
    public static let prefixBytes = 1 << 20

    /// The records of a JSON array or JSON Lines file, in order; with ``DatasetSpec/recordLimit``, the first
    /// that many (a JSON Lines file read only as far as its last complete line in ``prefixBytes``).
    /// Still `JSONSerialization` (issue 20 item 1, unfinished): every record reader downstream takes
    /// Foundation's `[String: Any]` (`Record.object`); moving JSON/JSONL records onto JSONText (or
    /// `Codable` per record type) changes every reader and needs the FuzzJSONL / FuzzInstructionJSON runs.
    static func records(_ url: URL, _ spec: DatasetSpec) throws -> [Record] {
        var data: [UInt8]
        if let limit = spec.recordLimit {
            let prefix: (bytes: [UInt8], isWhole: Bool)
            do { prefix = try RegularFile.readPrefix(url.path, root: spec.root?.path, maxBytes: prefixBytes) } catch {
                throw DatasetError.unreadable(path: url.path, reason: error.reason)
            }
            data = prefix.bytes
            let first = data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) })
            if !prefix.isWhole {
                if first == UInt8(ascii: "[") {
                    data = try read(url, spec)  // an array parses only whole
                } else if let lastNewline = data.lastIndex(of: 0x0A) {
                    data.removeSubrange((lastNewline + 1)...)  // drop the line the prefix cut
                } else {
                    data = try read(url, spec)  // one line longer than the prefix
                }
            }
            return try records(data, path: url.path, limit: limit)
        }
        data = try read(url, spec)
        return try records(data, path: url.path, limit: nil)
    }

    /// Parses `data` (a JSON array, or JSON Lines), stopping after `limit` records when set.
    static func records(_ data: [UInt8], path: String, limit: Int?) throws -> [Record] {
        guard let first = data.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else { return [] }
        if first == UInt8(ascii: "[") {
            let parsed: Any
            do {
                parsed = try JSONSerialization.jsonObject(with: Data(data))
            } catch {
                throw DatasetError.badRecord(path: path, line: 0, reason: "not valid JSON (\((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"))")
            }
            guard let list = parsed as? [Any] else { throw DatasetError.badRecord(path: path, line: 0, reason: "expected a JSON array of objects") }
            return try list.prefix(limit ?? list.count).enumerated().map { i, item in
                guard let object = item as? [String: Any] else {
                    throw DatasetError.badRecord(path: path, line: 0, reason: "record #\(i + 1) is not a JSON object")
                }
                return Record(object: object, path: path, line: 0, index: i + 1)
            }
        }
        var out: [Record] = []
        var start = 0
        var line = 1
        while start < data.count && out.count < (limit ?? Int.max) {
            var end = start
            while end < data.count && data[end] != 0x0A { end += 1 }
            let slice = data[start..<end]
            if slice.contains(where: { !($0 == 0x20 || $0 == 0x0D || $0 == 0x09) }) {
                let parsed: Any
                do {
                    parsed = try JSONSerialization.jsonObject(with: Data(slice))
                } catch {
                    let why = String(validating: slice, as: UTF8.self) == nil ? "not valid UTF-8" : "not a valid JSON line"
                    throw DatasetError.badRecord(path: path, line: line, reason: "\(why); JSON Lines needs one complete JSON object per line")
                }
                guard let object = parsed as? [String: Any] else {
                    throw DatasetError.badRecord(path: path, line: line, reason: "expected a JSON object on this line")
                }
                out.append(Record(object: object, path: path, line: line, index: 0))
            }
            start = end + 1
            line += 1
        }
        return out
    }

    static func string(_ r: Record, _ field: String, hint: String) throws -> String {
        guard let value = r.object[field] else {
            let keys = r.object.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
            throw DatasetError.badRecord(path: r.path, line: r.line, reason: "record has no '\(field)' field\(r.suffix) (it has \(keys.isEmpty ? "no fields" : keys)). \(hint)")
        }
        guard let s = value as? String else {
            throw DatasetError.badRecord(path: r.path, line: r.line, reason: "field '\(field)' must be a string\(r.suffix)")
        }
        return s
    }

    static func optionalString(_ r: Record, _ field: String) throws -> String? {
        guard let value = r.object[field], !(value is NSNull) else { return nil }
        guard let s = value as? String else {
            throw DatasetError.badRecord(path: r.path, line: r.line, reason: "field '\(field)' must be a string\(r.suffix)")
        }
        return s
    }

    /// The bytes of one file of `spec` (a regular file inside `spec.root`, see ``RegularFile``).
    static func read(_ url: URL, _ spec: DatasetSpec) throws -> [UInt8] {
        do { return try RegularFile.read(url.path, root: spec.root?.path) } catch {
            throw DatasetError.unreadable(path: url.path, reason: error.reason)
        }
    }

    // MARK: tokenized

    static func tokenized(_ spec: DatasetSpec) throws -> [Example] {
        let shard = try TokenShard.read(spec.path, root: spec.root)
        let maskURL = TokenShard.companion(of: spec.path, kind: .mask)
        let mask: [UInt8]
        if FileManager.default.fileExists(atPath: maskURL.path) {
            mask = try TokenShard.read(maskURL, root: spec.root).values.map { UInt8(truncatingIfNeeded: $0) }
            guard mask.count == shard.values.count else {
                throw DatasetError.badShard(path: maskURL.path, reason: "holds \(mask.count) mask values for \(shard.values.count) tokens")
            }
        } else {
            mask = [UInt8](repeating: 1, count: shard.values.count)
        }
        let docsURL = TokenShard.companion(of: spec.path, kind: .documents)
        var offsets = [0, shard.values.count]
        if FileManager.default.fileExists(atPath: docsURL.path) {
            offsets = try TokenShard.read(docsURL, root: spec.root).values.map(Int.init)
            guard offsets.first == 0, offsets.last == shard.values.count, zip(offsets, offsets.dropFirst()).allSatisfy({ $0 <= $1 }) else {
                throw DatasetError.badShard(path: docsURL.path, reason: "document offsets must rise from 0 to the token count \(shard.values.count)")
            }
        }
        return (0..<(offsets.count - 1)).compactMap { d in
            let range = offsets[d]..<offsets[d + 1]
            guard !range.isEmpty else { return nil }
            return Example(tokens: Array(shard.values[range]), mask: Array(mask[range]), source: "\(spec.path.path)#\(d + 1)")
        }
    }
}
