public import Foundation
import JSONText

/// Token-id lists as JSON arrays: the format of `lathe encode` output and `lathe decode` input.
public enum TokenIDs {
    /// `[15496, 11, 995]`: compact, one line.
    public static func json(_ ids: [Int]) -> String {
        "[" + ids.map(String.init).joined(separator: ", ") + "]"
    }

    /// Parses a JSON array of non-negative integers; `source` names the input in errors.
    /// - Throws: ``TokenizationError/invalidField(path:field:reason:)`` when the text is not such
    ///   an array, or an id is outside `0 ..< vocabSize` (when given).
    public static func parse(_ data: Data, source: String, vocabSize: Int? = nil) throws -> [Int] {
        guard let list = (try? JSONValue.parse(data))?.arrayValue else {
            throw TokenizationError.invalidField(path: source, field: "(input)", reason: "must be a JSON array of token ids, like [15496, 11, 995]")
        }
        return try list.enumerated().map { i, value in
            guard let n = value.intValue, n >= 0 else {
                throw TokenizationError.invalidField(path: source, field: "[\(i)]", reason: "is not a non-negative integer token id")
            }
            if let vocabSize, n >= vocabSize {
                throw TokenizationError.invalidField(path: source, field: "[\(i)]", reason: "is id \(n), outside the tokenizer's vocabulary of \(vocabSize)")
            }
            return n
        }
    }
}
