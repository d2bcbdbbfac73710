import Foundation
import GGUF
import Modeling
import Tokenization

/// A `.gguf` file named in `from:` (or an evaluate stage's `models:`): the model dequantised to fp32 and
/// its tokenizer built from the file's `tokenizer.ggml.*` metadata, with the file's bos/eos ids.
enum GGUFSource {
    static func load(_ url: URL) throws -> (GPTModel, BPETokenizer) {
        let file = try open(url)
        return (try GGUFModel.load(file), try tokenizer(file, url))
    }

    static func tokenizer(_ url: URL) throws -> BPETokenizer { try tokenizer(try open(url), url) }

    /// The file's `tokenizer.chat_template` (Jinja), if it carries one.
    static func chatTemplate(_ url: URL) throws -> String? { try open(url).tokenizer()?.chatTemplate }

    private static func open(_ url: URL) throws -> GGUFFile {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StageError.invalidInput("\(url.path) does not exist: name a GGUF file inside the project.")
        }
        return try GGUFFile(contentsOf: url)
    }

    private static func tokenizer(_ file: GGUFFile, _ url: URL) throws -> BPETokenizer {
        guard let metadata = try file.tokenizer() else {
            throw StageError.invalidInput("\(url.path) holds no tokenizer (no tokenizer.ggml.tokens): Lathe needs the model's tokenizer.")
        }
        let tokenizer = try BPETokenizer(gguf: metadata, source: url.path)
        return tokenizer.withSpecialTokens(bos: metadata.bosTokenId, eos: metadata.eosTokenId)
    }
}
