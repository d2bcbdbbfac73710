public import Foundation
public import Tokenization

/// Inputs the CLI reads the way stages do.
public enum StageInputs {
    /// The tokenizer of a `.gguf` file, built from its metadata.
    public static func tokenizer(gguf url: URL) throws -> BPETokenizer { try GGUFSource.tokenizer(url) }
}
