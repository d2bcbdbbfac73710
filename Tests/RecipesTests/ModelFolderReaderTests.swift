import Foundation
import Testing
@testable import Recipes

/// The loader reads no model file itself: it asks the `ModelFolderReader` it is given, only for files
/// inside the project root, and reports what that reader answers.
@Suite struct ModelFolderReaderTests {
    /// Answers fixed figures and records every path it is asked about.
    final class Scripted: ModelFolderReader, @unchecked Sendable {
        let facts: ModelFolderFacts?
        let tokens: Int?
        private let lock = NSLock()
        private var asked: [String] = []
        var paths: [String] { lock.withLock { asked } }

        init(facts: ModelFolderFacts?, tokens: Int? = nil) { self.facts = facts; self.tokens = tokens }

        func modelFacts(configFile path: String) -> ModelFolderFacts? { lock.withLock { asked.append(path) }; return facts }
        func tokenizerSize(tokenizerFile path: String) -> Int? { lock.withLock { asked.append(path) }; return tokens }
        func adapterBase(adapterConfigFile path: String) -> String? { lock.withLock { asked.append(path) }; return nil }
    }

    static func errors(_ yaml: String, reader: Scripted, project: TestProject) -> [String] {
        do {
            _ = try RecipeLoader(projectRoot: project.root, modelFolders: reader).load(yaml: yaml, url: project.recipeURL)
            return ["loaded"]
        } catch {
            return error.diagnostics.map(\.located)
        }
    }

    @Test("The reader's figures, not the file's bytes, decide the preflight error")
    func theReaderDecides() throws {
        let project = try TestProject()  // its hf/config.json holds "x\n", not JSON
        try Data("not JSON either".utf8).write(to: project.root.appendingPathComponent("pipelines/tokdir/tokenizer.json"))
        let reader = Scripted(facts: ModelFolderFacts(architecture: .decoder, vocabSize: 100, contextLength: 8), tokens: 120)
        let errors = Self.errors("""
            stages:
              base: {kind: domain-adapt, from: ./hf, tokenizer: ./tokdir, sequence_len: 16, datasets: [{path: data/a.txt}]}
            """, reader: reader, project: project)
        #expect(errors.count == 2, "\(errors)")
        #expect(errors.first?.contains("a tokenizer of 120 tokens (pipelines/tokdir/tokenizer.json) with a model whose vocab_size is 100") == true)
        #expect(errors.last?.contains("exceeds the model's context length (8, pipelines/hf/config.json)") == true)
        #expect(reader.paths.allSatisfy { $0.hasPrefix(project.root.path + "/") }, "\(reader.paths)")
    }

    @Test("An unsupported architecture is named with the reader's list of supported types")
    func unsupportedArchitecture() throws {
        let project = try TestProject()
        let reader = Scripted(facts: ModelFolderFacts(architecture: .unsupported(modelType: "t5", supported: ["a", "b"]),
                                                     vocabSize: nil, contextLength: nil))
        let errors = Self.errors("stages:\n  base: {kind: domain-adapt, from: ./hf, datasets: [{path: data/a.txt}]}\n",
                                 reader: reader, project: project)
        #expect(errors == ["2:30: stage 'base' starts from a model with model_type 't5' (pipelines/hf/config.json), which Lathe "
            + "cannot train. Lathe runs decoders with model_type a, b."])
    }

    @Test("A config.json that is a link out of the project is never handed to the reader")
    func linksOutOfTheRootAreNotRead() throws {
        let project = try TestProject()
        let config = project.root.appendingPathComponent("pipelines/hf/config.json")
        try FileManager.default.removeItem(at: config)
        try FileManager.default.createSymbolicLink(at: config, withDestinationURL: project.base.appendingPathComponent("outside/secret.txt"))
        let reader = Scripted(facts: ModelFolderFacts(architecture: .encoder, vocabSize: nil, contextLength: nil))
        _ = Self.errors("stages:\n  base: {kind: domain-adapt, from: ./hf, datasets: [{path: data/a.txt}]}\n", reader: reader, project: project)
        #expect(!reader.paths.contains { $0.hasSuffix("hf/config.json") }, "\(reader.paths)")
    }
}
