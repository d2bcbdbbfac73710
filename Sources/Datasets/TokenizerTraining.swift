public import Tokenization
import Foundation

/// What the `tokenize` stage does with its `datasets:`: train a tokenizer on their text and
/// measure it on each of them. Hashing and writing `tokenizer.json` stay with the stage.
public enum TokenizerTraining {
    /// The text of every example of every spec (prompt and response together), in order.
    /// - Throws: ``DatasetError`` from reading, or `invalidSpec` for a `tokenized` dataset (it has
    ///   no text to learn from).
    public static func documents(_ specs: [DatasetSpec]) throws -> [[UInt8]] {
        var out: [[UInt8]] = []
        for spec in specs {
            guard spec.type != .tokenized else {
                throw DatasetError.invalidSpec(path: spec.path.path, reason: "a 'tokenized' dataset has no text to train a tokenizer on; list the raw text datasets instead")
            }
            out += try DatasetReader.examples(spec).map(\.text)
        }
        return out
    }

    /// Trains `trainer` on the specs' text.
    public static func train(on specs: [DatasetSpec], trainer: BPETrainer) throws -> BPETokenizer {
        try trainer.train(documents(specs))
    }

    /// Stats (documents, bytes, tokens, bytes per token) of `tokenizer` on each spec, in order.
    public static func stats(_ specs: [DatasetSpec], tokenizer: BPETokenizer) throws -> [DatasetStats] {
        try specs.map { try DatasetStats(examples: DatasetReader.examples($0), tokenizer: tokenizer) }
    }
}
