public import Foundation

/// The real weights `scripts/fetch-models.sh` fetches (the README's test command runs it first):
/// `$LATHE_MODEL_CACHE`, default `~/.cache/lathe/models`.
public enum ModelCache {
    /// SmolLM2-135M-Instruct: the Q4_1 GGUF and transformers' fp32 HF conversion of it beside it.
    public static let smolLM2 = "smollm2-135m-instruct"
    /// The GGUF file inside the SmolLM2 folder.
    public static let smolLM2GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
    /// all-MiniLM-L6-v2: a 6-layer BERT (hidden 384) HF folder with its WordPiece tokenizer.json.
    public static let allMiniLM = "all-minilm-l6-v2"
    /// The files of all-minilm-l6-v2 a classify stage reads (the HF folder without sentence-transformers' extras).
    public static let miniLMFiles = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                                     "special_tokens_map.json", "vocab.txt"]

    /// The complete folder of model `name`.
    /// - Throws: `Python.Failure` saying to run scripts/fetch-models.sh when it is missing, so a test that
    ///   needs real weights fails loudly instead of skipping.
    public static func folder(_ name: String) throws -> URL {
        let cache = ProcessInfo.processInfo.environment["LATHE_MODEL_CACHE"]
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/lathe/models").path
        let url = URL(fileURLWithPath: cache).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent(".complete").path) else {
            throw Python.Failure(message: "\(url.path) is missing: run scripts/fetch-models.sh")
        }
        return url
    }

    /// Puts `files` of model `name` into `<project>/models/<name>/`, where recipes reach them (a hard link
    /// into the cache, a copy across file systems), as scripts/fetch-models.sh does for the repository.
    public static func install(_ name: String, files: [String], into project: URL) throws {
        let source = try folder(name)
        let target = project.appendingPathComponent("models").appendingPathComponent(name)
        try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
        for file in files {
            let from = source.appendingPathComponent(file), to = target.appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: to.path) { continue }
            do { try FileManager.default.linkItem(at: from, to: to) } catch { try FileManager.default.copyItem(at: from, to: to) }
        }
    }
}
