import Foundation
import JSONText

/// One labelled text of a `classification` dataset.
public struct LabeledText: Sendable, Hashable {
    public var text: String
    /// The second text of a sentence-pair task (`text_pair_field`), else nil.
    public var pair: String?
    /// The label as written (JSON numbers and booleans in their JSON spelling: `1`, `true`).
    public var label: String
    /// `file:line` (JSONL, CSV, TSV) or `file#record` (JSON array) it came from.
    public var source: String

    public init(text: String, pair: String? = nil, label: String, source: String) {
        self.text = text
        self.pair = pair
        self.label = label
        self.source = source
    }
}

/// Reads `type: classification` datasets: JSON arrays and JSON Lines (`.json`, `.jsonl`), CSV (`.csv`,
/// RFC 4180 quoting) and TSV (`.tsv`, `.txt`; no quoting, see ``DelimitedText``). Delimited files take
/// their column names from the first row, or from `columns:` when they have no header row.
///
/// Every record needs a non-empty text and a label; a missing field, an empty text or a short row is
/// an error naming the file and line (or record) and the fix.
public enum ClassificationReader {
    /// The records of one file and the file's path.
    public struct FileRecords: Sendable {
        public var path: String
        public var records: [LabeledText]
    }

    /// Reads `spec` (capped by `maxSamples`).
    /// - Throws: ``DatasetError`` for unreadable files, malformed records, missing fields, empty texts
    ///   or a file without records.
    public static func read(_ spec: DatasetSpec) throws(DatasetError) -> FileRecords {
        let path = spec.path.path
        let textField = spec.field ?? "text", labelField = spec.labelField ?? "label"
        var out: [LabeledText]
        switch spec.path.pathExtension.lowercased() {
        case "json", "jsonl":
            out = try DatasetRecord.read(spec.path, spec).map { r throws(DatasetError) in
                let hint = "Set `text_field:` and `label_field:` to the keys that hold the text and the label"
                let text = try r.string(textField, hint: hint)
                let pair = try spec.textPairField.map { f throws(DatasetError) in try r.string(f, hint: "Set `text_pair_field:` to the key of the second text") }
                guard let raw = r.object[labelField] else {
                    throw r.missing("label field '\(labelField)'", hint: "Set `label_field:` to the key that holds the label")
                }
                guard let label = labelText(raw) else {
                    throw r.bad("label field '\(labelField)' must be a string, a number or a boolean\(r.suffix)")
                }
                return LabeledText(text: text, pair: pair, label: label, source: r.location)
            }
        default:
            let bytes = try DatasetReader.read(spec.path, spec)
            let dialect: DelimitedText.Dialect = spec.path.pathExtension.lowercased() == "csv" ? .csv : .tsv
            out = try delimited(bytes, dialect: dialect, path: path, columns: spec.columns, textField: textField,
                                labelField: labelField, pairField: spec.textPairField)
        }
        if let cap = spec.maxSamples, out.count > cap { out.removeLast(out.count - cap) }
        if let limit = spec.recordLimit, out.count > limit { out.removeLast(out.count - limit) }
        guard !out.isEmpty else { throw .empty(path: path, reason: "no labelled records found") }
        if let empty = out.first(where: { $0.text.allSatisfy(\.isWhitespace) }) {
            throw .badRecord(path: path, line: 0, reason: "record \(empty.source) has an empty text; remove it or fill in its text")
        }
        return FileRecords(path: path, records: out)
    }

    /// A JSON label as text: strings as they are, integers without a fraction, booleans as `true`/`false`.
    static func labelText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : "\(d)"
        default: return nil
        }
    }

    static func delimited(_ bytes: [UInt8], dialect: DelimitedText.Dialect, path: String, columns: [String]?, textField: String,
                          labelField: String, pairField: String?) throws(DatasetError) -> [LabeledText] {
        var rows = try DelimitedText.rows(bytes, dialect: dialect, path: path)
        let header: [String]
        if let columns {
            header = columns
        } else {
            guard !rows.isEmpty else { return [] }
            header = rows.removeFirst().fields.map { $0.trimmingCharacters(in: .whitespaces) }
        }
        func column(_ name: String, _ key: String) throws(DatasetError) -> Int {
            guard let i = header.firstIndex(of: name) else {
                let source = columns == nil ? "the header row has" : "`columns:` names"
                throw .invalidSpec(path: path, reason: "no column '\(name)' for `\(key)`: \(source) \(header.map { "'\($0)'" }.joined(separator: ", ")). "
                                   + (columns == nil ? "A file without a header row needs `columns:` (e.g. [text, label])" : "Name the column in `columns:`"))
            }
            return i
        }
        let ti = try column(textField, "text_field"), li = try column(labelField, "label_field")
        let pi = try pairField.map { f throws(DatasetError) in try column(f, "text_pair_field") }
        let needed = max(ti, li, pi ?? 0) + 1
        var out: [LabeledText] = []
        out.reserveCapacity(rows.count)
        for row in rows {
            guard row.fields.count >= needed else {
                throw .badRecord(path: path, line: row.line, reason: "the row has \(row.fields.count) field\(row.fields.count == 1 ? "" : "s") but the label column '\(labelField)' is field \(li + 1) of \(header.count) (\(dialect == .csv ? "comma" : "tab")-separated); is the label missing?")
            }
            let label = row.fields[li].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else {
                throw .badRecord(path: path, line: row.line, reason: "the label column '\(labelField)' is empty; every record needs a label")
            }
            out.append(LabeledText(text: row.fields[ti], pair: pi.map { row.fields[$0] }, label: label, source: "\(path):\(row.line)"))
        }
        return out
    }
}
