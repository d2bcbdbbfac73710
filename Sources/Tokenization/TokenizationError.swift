/// Everything that can go wrong in the Tokenization module. Messages are written for the person
/// running Lathe: they name the file (and line or entry when known), say what is wrong and how to fix it.
public enum TokenizationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not valid JSON (`line` is 1-based; 0 when the parser gave no position).
    case malformedJSON(path: String, line: Int, reason: String)
    /// The JSON is valid but a field is missing or has the wrong shape.
    case invalidField(path: String, field: String, reason: String)
    /// The tokenizer uses a feature Lathe does not implement (a normalizer, a WordPiece model, ...).
    case unsupported(path: String, feature: String)
    /// A merge references a token that is not in the vocabulary.
    case badMerge(path: String, index: Int, reason: String)
    /// Training was asked for something impossible.
    case invalidTrainingConfig(String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            return "\(path): cannot read the tokenizer file: \(reason)."
        case let .malformedJSON(path, line, reason):
            let at = line > 0 ? "\(path):\(line)" : path
            return "\(at): not valid JSON (\(reason)). A tokenizer.json must be the JSON object HF `tokenizers` writes; re-export it with `tokenizer.save(path)`."
        case let .invalidField(path, field, reason):
            return "\(path): field '\(field)' \(reason)."
        case let .unsupported(path, feature):
            return "\(path): \(feature) is not supported by Lathe's byte-level BPE. Use a GPT-2-style tokenizer.json (ByteLevel pre-tokenizer and decoder, BPE model, no normalizer)."
        case let .badMerge(path, index, reason):
            return "\(path): merge #\(index) (field 'model.merges') \(reason)."
        case let .invalidTrainingConfig(reason):
            return "invalid tokenizer training settings: \(reason)."
        }
    }
}
