/// Rows of a delimited text file: CSV (RFC 4180) or TSV (IANA `text/tab-separated-values`).
///
/// CSV: fields are separated by commas; a field that starts with `"` is quoted and may hold commas,
/// newlines and `""` for one quote; CR LF and LF both end a record. TSV: fields are separated by tabs
/// and never quoted (a `"` is an ordinary character — the sentiment-labelled-sentences files open
/// sentences with an unmatched `"`), so a field cannot hold a tab or a newline. Blank lines are skipped.
public struct DelimitedText: Sendable {
    public enum Dialect: Sendable, Hashable {
        case csv, tsv
        var separator: UInt8 { self == .csv ? UInt8(ascii: ",") : UInt8(ascii: "\t") }
    }

    /// One record: its fields (UTF-8 decoded, invalid bytes replaced) and the 1-based line it starts on.
    public struct Row: Sendable, Hashable {
        public var fields: [String]
        public var line: Int
    }

    /// Splits `bytes` into rows.
    /// - Throws: ``DatasetError/badRecord(path:line:reason:)`` for a CSV quote that is never closed or
    ///   text after a closing quote, naming the line where the field began.
    /// - Complexity: O(bytes).
    public static func rows(_ bytes: [UInt8], dialect: Dialect, path: String) throws(DatasetError) -> [Row] {
        let sep = dialect.separator, quote = UInt8(ascii: "\""), lf: UInt8 = 0x0A, cr: UInt8 = 0x0D
        var rows: [Row] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var line = 1, rowLine = 1
        var i = 0
        let n = bytes.count
        func endField() { fields.append(String(decoding: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
        func endRow() {
            endField()
            if !(fields.count == 1 && fields[0].allSatisfy({ $0 == " " || $0 == "\t" })) {
                rows.append(Row(fields: fields, line: rowLine))
            }
            fields.removeAll(keepingCapacity: true)
        }
        var atFieldStart = true
        while i < n {
            let c = bytes[i]
            if dialect == .csv && atFieldStart && c == quote {
                let start = line
                i += 1
                var closed = false
                while i < n {
                    if bytes[i] == quote {
                        if i + 1 < n && bytes[i + 1] == quote { field.append(quote); i += 2; continue }
                        closed = true
                        i += 1
                        break
                    }
                    if bytes[i] == lf { line += 1 }
                    field.append(bytes[i])
                    i += 1
                }
                guard closed else {
                    throw .badRecord(path: path, line: start, reason: "a quoted CSV field opened here is never closed (end a quoted field with \", write a quote inside one as \"\")")
                }
                if i < n, bytes[i] != sep, bytes[i] != lf, !(bytes[i] == cr && (i + 1 == n || bytes[i + 1] == lf)) {
                    throw .badRecord(path: path, line: line, reason: "text after a closing quote; quote the whole field and write a quote inside it as \"\"")
                }
                atFieldStart = false
                continue
            }
            atFieldStart = false
            if c == sep {
                endField()
                atFieldStart = true
            } else if c == lf || (c == cr && i + 1 < n && bytes[i + 1] == lf) {
                if c == cr { i += 1 }
                endRow()
                line += 1
                rowLine = line
                atFieldStart = true
            } else {
                field.append(c)
            }
            i += 1
        }
        if !atFieldStart || !field.isEmpty || !fields.isEmpty { endRow() }
        return rows
    }
}
