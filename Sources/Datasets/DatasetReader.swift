import Files
import Foundation
import JSONText

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
        return try DatasetRecord.read(spec.path, spec).map { record in
            Example(segments: [.init(try record.string(field, hint: "Set `field:` to the key that holds the text"), trained: true)],
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
        try DatasetRecord.read(spec.path, spec).map { record in
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
    static func promptAndResponse(_ spec: DatasetSpec, _ r: DatasetRecord) throws -> (String, String) {
        switch spec.type {
        case .alpaca, .dolly:
            let (instruction, input, output) = try instructionFields(spec, r)
            return (spec.template.prompt(instruction: instruction, input: input), output)
        default:
            let hint = "input_output records are {input, output}, {prompt, completion} or {segments: [{text, label}]}"
            let input = try r.string(r.object["input"] != nil ? "input" : "prompt", hint: hint)
            let output = try r.string(r.object["output"] != nil ? "output" : "completion", hint: hint)
            return (input, output)
        }
    }

    /// Instruction, optional input and output of an alpaca or dolly record, under the spec's field names.
    static func instructionFields(_ spec: DatasetSpec, _ r: DatasetRecord) throws -> (String, String?, String) {
        let dolly = spec.type == .dolly
        let names = (spec.fields.instruction ?? "instruction", spec.fields.input ?? (dolly ? "context" : "input"),
                     spec.fields.output ?? (dolly ? "response" : "output"))
        let hint = "\(dolly ? "Dolly" : "Alpaca") records are {\(names.0), \(names.1), \(names.2)}; name other fields with "
            + "`field_instruction`, `field_input` and `field_output`"
        return (try r.string(names.0, hint: hint), try r.optionalString(names.1), try r.string(names.2, hint: hint))
    }

    /// Axolotl template-free segments: `label: true` segments are trained.
    static func labeledSegments(_ value: JSONValue, _ r: DatasetRecord) throws -> [Example.Segment] {
        guard let list = value.arrayValue, list.allSatisfy({ $0.objectValue != nil }) else {
            throw r.bad("'segments' must be a list of {text, label} objects\(r.suffix)")
        }
        return try list.map { item in
            guard let text = item["text"]?.stringValue, let label = item["label"]?.boolValue else {
                throw r.bad("each segment needs a string 'text' and a boolean 'label'\(r.suffix)")
            }
            return Example.Segment(text, trained: label)
        }
    }

    /// The bytes of one file of `spec` (a regular file inside `spec.root`, see ``RegularFile``).
    static func read(_ url: URL, _ spec: DatasetSpec) throws(DatasetError) -> [UInt8] {
        do { return try RegularFile.read(url.path, root: spec.root?.path) } catch {
            throw .unreadable(path: url.path, reason: error.reason)
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
