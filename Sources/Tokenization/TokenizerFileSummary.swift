import JSONText

/// What a `tokenizer.json` says about its size, read without building the tokenizer (for the recipe
/// loader's preflight, which compares it with the model's `vocab_size`).
public enum TokenizerFileSummary {
    /// The number of token ids the file defines: its largest id + 1 over `model.vocab` (an object of
    /// ids, as BPE and WordPiece files have) and `added_tokens`; nil when the text is not such a file
    /// (a Unigram vocabulary, or not JSON). Every vocabulary key counts, spelled exactly as written.
    /// - Complexity: O(bytes).
    public static func idCount(json bytes: [UInt8]) -> Int? {
        guard let json = try? JSONValue.parse(bytes), case .object(let vocab)? = json["model"]?["vocab"] else { return nil }
        var largest = -1
        for (_, value) in vocab {
            if case .int(let id) = value { largest = max(largest, id) }
        }
        for token in json["added_tokens"]?.arrayValue ?? [] {
            if case .int(let id)? = token["id"] { largest = max(largest, id) }
        }
        return largest + 1
    }
}
