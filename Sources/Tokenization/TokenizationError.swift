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
    /// A `Split` pre-tokenizer uses a regex Lathe has no scanner for.
    case unknownPattern(path: String, field: String, pattern: String)
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
            return "\(path): \(feature) is not supported by Lathe's tokenizers. Lathe reads the tokenizer.json of byte-level BPE (GPT-2, SmolLM2, Llama 3, Qwen2), of SentencePiece-style BPE (Llama 2, Mistral, TinyLlama) and of BERT-style WordPiece (BertNormalizer, BertPreTokenizer; BERT, all-MiniLM-L6-v2); use a model whose tokenizer is one of these."
        case let .unknownPattern(path, field, pattern):
            let known = SplitPattern.allCases.map { "\($0)" }.joined(separator: ", ")
            return "\(path): field '\(field)' is the Split regex \(pattern.debugDescription), which Lathe has no scanner for (it knows the \(known) patterns, byte for byte). Use a tokenizer with one of those, or add a scanner for this pattern to Sources/Tokenization/SplitPattern.swift."
        case let .badMerge(path, index, reason):
            return "\(path): merge #\(index) (field 'model.merges') \(reason)."
        case let .invalidTrainingConfig(reason):
            return "invalid tokenizer training settings: \(reason)."
        }
    }
}
