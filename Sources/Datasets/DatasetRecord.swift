import Files
public import Foundation
public import JSONText

/// One JSON object of a dataset file (a JSON Lines line or an element of a JSON array) and where it
/// came from, read with JSONText's strict parser (valid UTF-8, no duplicate keys, nesting ≤ 512).
///
/// Every JSON record reader goes through here: ``DatasetReader`` (completion, instruction and
/// conversation records), ``ClassificationReader`` and the evaluate stage's `choices` lists.
public struct DatasetRecord: Sendable {
    /// The record's members, in file order.
    public var object: JSONObject
    public var path: String
    /// 1-based line for JSONL; 0 for array files.
    public var line: Int
    /// 1-based index in an array file; 0 for JSONL.
    public var index: Int

    /// `file:line` for JSONL, `file#index` for an array element (an example's `source`).
    public var location: String { line > 0 ? "\(path):\(line)" : "\(path)#\(index)" }
    /// " (record #n)" for an array element, to follow a reason whose `file:line` cannot say which.
    var suffix: String { index > 0 ? " (record #\(index))" : "" }

    /// Bytes of a file read when only its first records are wanted (``DatasetSpec/recordLimit``).
    public static let prefixBytes = 1 << 20

    // MARK: Fields

    /// The string under `field`.
    /// - Throws: ``DatasetError/badRecord(path:line:reason:)`` naming the record's keys and `hint` when
    ///   the field is missing, or saying it must be a string.
    public func string(_ field: String, hint: String) throws(DatasetError) -> String {
        guard let value = object[field] else { throw missing("'\(field)' field", hint: hint) }
        guard let s = value.stringValue else { throw bad("field '\(field)' must be a string\(suffix)") }
        return s
    }

    /// The string under `field`, or nil when it is absent or `null`.
    public func optionalString(_ field: String) throws(DatasetError) -> String? {
        guard let value = object[field], value != .null else { return nil }
        guard let s = value.stringValue else { throw bad("field '\(field)' must be a string\(suffix)") }
        return s
    }

    /// The error for a record without `what` (e.g. "'text' field"): the keys it does have, then `hint` (the fix).
    public func missing(_ what: String, hint: String) -> DatasetError {
        let keys = object.keys.sorted().map { "'\($0)'" }.joined(separator: ", ")
        return bad("record has no \(what)\(suffix) (it has \(keys.isEmpty ? "no fields" : keys)). \(hint)")
    }

    /// A ``DatasetError/badRecord(path:line:reason:)`` at this record.
    public func bad(_ reason: String) -> DatasetError {
        .badRecord(path: path, line: line, reason: reason)
    }

    // MARK: Reading

    /// The records of a JSON array or JSON Lines file, in order; with ``DatasetSpec/recordLimit``, the first
    /// that many (a JSON Lines file read only as far as its last complete line in ``prefixBytes``).
    /// - Complexity: O(n) in the bytes read.
    /// - Throws: ``DatasetError`` for an unreadable file or a record that is not a JSON object.
    public static func read(_ url: URL, _ spec: DatasetSpec) throws(DatasetError) -> [DatasetRecord] {
        guard let limit = spec.recordLimit else { return try parse(DatasetReader.read(url, spec), path: url.path, limit: nil) }
        let prefix: (bytes: [UInt8], isWhole: Bool)
        do { prefix = try RegularFile.readPrefix(url.path, root: spec.root?.path, maxBytes: prefixBytes) } catch {
            throw .unreadable(path: url.path, reason: error.reason)
        }
        var data = prefix.bytes
        if !prefix.isWhole {
            if firstNonSpace(data) == UInt8(ascii: "[") {
                data = try DatasetReader.read(url, spec)  // an array parses only whole
            } else if let lastNewline = data.lastIndex(of: 0x0A) {
                data.removeSubrange((lastNewline + 1)...)  // drop the line the prefix cut
            } else {
                data = try DatasetReader.read(url, spec)  // one line longer than the prefix
            }
        }
        return try parse(data, path: url.path, limit: limit)
    }

    /// Parses `data` (a JSON array, or JSON Lines; told apart by the first non-space byte), stopping after
    /// `limit` records when set. Blank JSONL lines are skipped.
    public static func parse(_ data: [UInt8], path: String, limit: Int?) throws(DatasetError) -> [DatasetRecord] {
        guard let first = firstNonSpace(data) else { return [] }
        if first == UInt8(ascii: "[") {
            let parsed: JSONValue
            do { parsed = try JSONValue.parse(data) } catch {
                let (line, column) = position(of: error.offset, in: data[...])
                throw .badRecord(path: path, line: line, reason: "not valid JSON (\(error.reason) at column \(column)); the file must be one JSON array of objects, or JSON Lines")
            }
            guard let list = parsed.arrayValue else {
                throw .badRecord(path: path, line: 0, reason: "expected a JSON array of objects")
            }
            var out: [DatasetRecord] = []
            for (i, item) in list.prefix(limit ?? list.count).enumerated() {
                guard let object = item.objectValue else {
                    throw .badRecord(path: path, line: 0, reason: "record #\(i + 1) is not a JSON object (it is \(item.kindName))")
                }
                out.append(DatasetRecord(object: object, path: path, line: 0, index: i + 1))
            }
            return out
        }
        var out: [DatasetRecord] = []
        var start = 0
        var line = 1
        while start < data.count && out.count < (limit ?? Int.max) {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.count
            let slice = data[start..<end]
            if slice.contains(where: { !isSpace($0) }) {
                let parsed: JSONValue
                do { parsed = try JSONValue.parse(slice) } catch {
                    let why = String(validating: slice, as: UTF8.self) == nil
                        ? "not valid UTF-8"
                        : "not a valid JSON line (\(error.reason) at column \(position(of: error.offset, in: slice).column))"
                    throw .badRecord(path: path, line: line, reason: "\(why); JSON Lines needs one complete JSON object per line")
                }
                guard let object = parsed.objectValue else {
                    throw .badRecord(path: path, line: line, reason: "expected a JSON object on this line, found \(parsed.kindName)")
                }
                out.append(DatasetRecord(object: object, path: path, line: line, index: 0))
            }
            start = end + 1
            line += 1
        }
        return out
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }

    static func firstNonSpace(_ data: [UInt8]) -> UInt8? { data.first { !isSpace($0) } }

    /// 1-based line and column (in bytes) of byte `offset` of `text`.
    static func position(of offset: Int, in text: ArraySlice<UInt8>) -> (line: Int, column: Int) {
        let before = text.prefix(offset)
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? text.startIndex
        return (1 + before.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }, before.endIndex - lineStart + 1)
    }
}
