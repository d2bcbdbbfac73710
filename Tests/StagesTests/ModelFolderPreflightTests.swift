import Foundation
import Modeling
import Recipes
import Stages
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The model-file reader `lathe validate` gives the recipe loader: Modeling's and Tokenization's
/// readers answer, unreadable or hostile files answer nil (the figure stays unknown), nothing blocks.
@Suite struct ModelFolderPreflightTests {
    static func file(_ text: String) throws -> (URL, () -> Void) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-preflight-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("file.json")
        try Data(text.utf8).write(to: url)
        return (url, { try? FileManager.default.removeItem(at: dir) })
    }

    @Test("config.json gives the family, vocabulary and context length the way each family spells them",
          arguments: [
            (#"{"model_type": "gpt2", "vocab_size": 400, "n_positions": 32}"#, ModelFolderFacts(architecture: .decoder, vocabSize: 400, contextLength: 32)),
            (#"{"model_type": "gpt2", "vocab_size": 400, "n_ctx": 16}"#, ModelFolderFacts(architecture: .decoder, vocabSize: 400, contextLength: 16)),
            (#"{"model_type": "llama", "vocab_size": 600, "max_position_embeddings": 32}"#, ModelFolderFacts(architecture: .decoder, vocabSize: 600, contextLength: 32)),
            (#"{"model_type": "bert", "vocab_size": 30522}"#, ModelFolderFacts(architecture: .encoder, vocabSize: 30522, contextLength: nil)),
            (#"{"model_type": "t5", "vocab_size": "many"}"#, ModelFolderFacts(
                architecture: .unsupported(modelType: "t5", supported: ["gpt2", "llama", "qwen2", "mistral"]), vocabSize: nil, contextLength: nil)),
            (#"{"n_positions": 0}"#, ModelFolderFacts(architecture: .decoder, vocabSize: nil, contextLength: 0)),
          ] as [(String, ModelFolderFacts)])
    func configFacts(text: String, expected: ModelFolderFacts) throws {
        let (url, cleanup) = try Self.file(text)
        defer { cleanup() }
        #expect(ModelFolderPreflight().modelFacts(configFile: url.path) == expected)
    }

    @Test("The decoder types the preflight accepts are exactly the ones Modeling's readers load")
    func decoderTypesMatchTheReaders() {
        #expect(Set(HFConfigSummary.decoderModelTypes) == Set(["gpt2"] + HFLlamaConfig.modelTypes.keys))
    }

    @Test("tokenizer.json is counted by its largest id over the vocabulary and the added tokens")
    func tokenizerSize() throws {
        let (url, cleanup) = try Self.file(#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 150}}, "added_tokens": [{"id": 151, "content": "<|e|>"}]}"#)
        defer { cleanup() }
        #expect(ModelFolderPreflight().tokenizerSize(tokenizerFile: url.path) == 152)
    }

    @Test("An adapter config names its base as written; anything else names none")
    func adapterBase() throws {
        let (url, cleanup) = try Self.file(#"{"peft_type": "LORA", "base_model_name_or_path": "models/base"}"#)
        defer { cleanup() }
        #expect(ModelFolderPreflight().adapterBase(adapterConfigFile: url.path) == "models/base")
        try Data(#"{"peft_type": "LORA", "base_model_name_or_path": 3}"#.utf8).write(to: url)
        #expect(ModelFolderPreflight().adapterBase(adapterConfigFile: url.path) == nil)
    }

    @Test("Broken JSON, a FIFO and a missing file answer nil at once, never block")
    func hostileFilesAnswerNil() throws {
        let (url, cleanup) = try Self.file("{\"model_type\": ")
        defer { cleanup() }
        let reader = ModelFolderPreflight()
        #expect(reader.modelFacts(configFile: url.path) == nil)
        #expect(reader.tokenizerSize(tokenizerFile: url.path) == nil)
        let fifo = url.deletingLastPathComponent().appendingPathComponent("fifo.json").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let start = ContinuousClock.now
        #expect(reader.modelFacts(configFile: fifo) == nil)
        #expect(reader.tokenizerSize(tokenizerFile: fifo) == nil)
        #expect(ContinuousClock.now - start < .seconds(2))
        #expect(reader.modelFacts(configFile: url.path + ".missing") == nil)
    }
}
