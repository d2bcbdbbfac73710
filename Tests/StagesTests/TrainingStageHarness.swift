import Foundation
import Modeling
import Orchestration
import Recipes
import Stages
import Tokenization
import TestSupport

/// Runs a recipe through the real loader, executor and stage adapters (``StageRegistry``) in a
/// ``TemporaryProject``, and reads back what the training stages produced.
struct TrainingPipeline {
    let project: TemporaryProject
    var lastSummary: Executor.Summary?
    /// The last recipe run, and the failure message of each stage that failed in it.
    var recipe: Recipe?
    var failures: [String: String] = [:]

    init(project: TemporaryProject = TemporaryProject()) { self.project = project }

    /// Loads `yaml` as `pipelines/p.yaml` and executes it; `wrap` may put a runner around the registry.
    @discardableResult
    mutating func run(_ yaml: String, cancel: CancellationFlag = CancellationFlag(),
                      wrap: (StageRegistry) -> any StageRunner = { $0 }) throws -> Executor.Summary {
        final class Box: @unchecked Sendable { var messages: [String: String] = [:] }
        let box = Box()
        let url = project.write("pipelines/p.yaml", yaml)
        let recipe = try RecipeLoader(projectRoot: project.root, modelFolders: ModelFolderPreflight()).load(recipeAt: url).recipe
        let graph = try PipelineGraph(StageSpecs.make(from: recipe))
        let summary = try Executor(graph: graph, store: ArtifactStore(root: project.store), projectRoot: project.root,
                                   lockURL: LockFile.url(forRecipe: url), recipeName: recipe.name,
                                   runner: wrap(StageRegistry(recipe: recipe)), cancel: cancel)
            .run(options: .init()) { event in if case .failed(let stage, let message) = event { box.messages[stage] = message } }
        lastSummary = summary
        self.recipe = recipe
        failures = box.messages
        return summary
    }

    /// The published output folder (an HF GPT-2 folder for training stages) of `stage`.
    func output(_ stage: String) throws -> URL {
        guard let record = lastSummary?.lock.stages[stage] else { throw HarnessError("no result for stage '\(stage)'") }
        return ArtifactStore(root: project.store).outputDirectory(record.key)
    }

    func metrics(_ stage: String) throws -> [String: Double] {
        guard let record = lastSummary?.lock.stages[stage] else { throw HarnessError("no result for stage '\(stage)'") }
        return record.metrics
    }
}

struct HarnessError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A trained model folder loaded back: the model and its tokenizer.
struct TrainedModel {
    let model: GPTModel
    let tokenizer: BPETokenizer

    init(_ folder: URL) throws {
        model = try GPTModel.loadHF(directory: folder)
        tokenizer = try BPETokenizer.load(contentsOf: folder.appendingPathComponent("tokenizer.json"))
    }

    /// Documents encoded and joined with the end-of-text token, as completion datasets are.
    func stream(_ documents: [String]) -> [Int32] {
        let eot = Int32(tokenizer.endOfTextId ?? 0)
        return documents.flatMap { tokenizer.encode($0).map(Int32.init) + [eot] }
    }

    /// Mean next-token loss (nats) over `documents`, in windows of `sequenceLength`.
    func loss(_ documents: [String], sequenceLength: Int) throws -> Double {
        let data = try TrainingData.contiguous(tokens: stream(documents), sequenceLength: sequenceLength,
                                               vocabSize: model.config.vocabSize)
        return try model.evaluate(data, batchSize: 8).meanLoss
    }

    /// Greedy continuation of `prompt`, stopped at end-of-text, decoded.
    func answer(_ prompt: String, maxNewTokens: Int = 24) throws -> String {
        let eot = Int32(tokenizer.endOfTextId ?? 0)
        let ids = tokenizer.encode(prompt).map(Int32.init)
        let out = try model.generate(prompt: ids, options: GenerationOptions(maxNewTokens: maxNewTokens, temperature: 0, stopTokens: [eot]))
        let generated = out.count > ids.count && Array(out.prefix(ids.count)) == ids ? Array(out.dropFirst(ids.count)) : out
        return tokenizer.decodeText(generated.filter { $0 != eot }.map(Int.init))
    }
}

/// Project-owned synthetic text from a seeded generator: a tiny "general" grammar of animals and a
/// "domain" grammar of glass plants, with disjoint content words.
struct SyntheticText {
    private var state: UInt64

    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }

    mutating func next(_ n: Int) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int((state >> 33) % UInt64(n))
    }

    mutating func pick(_ words: [String]) -> String { words[next(words.count)] }

    static let animals = ["fox", "dog", "cat", "bird", "horse", "mouse"]
    static let colours = ["red", "small", "old", "quick", "green", "dark"]
    static let verbs = ["sees", "likes", "chases", "finds"]
    static let materials = ["glass", "amber", "copper", "silver"]
    static let plants = ["vine", "stone", "root", "leaf"]
    static let growth = ["grows", "shines", "bends", "rests"]
    static let places = ["near", "under", "over"]

    /// "the old fox sees the green bird." — each animal has a fixed colour half the time.
    mutating func generalSentence() -> String {
        let a = pick(Self.animals), b = pick(Self.animals)
        func colour(_ animal: String, _ g: inout SyntheticText) -> String {
            g.next(2) == 0 ? Self.colours[Self.animals.firstIndex(of: animal)!] : g.pick(Self.colours)
        }
        let ca = colour(a, &self), cb = colour(b, &self)
        return "the \(ca) \(a) \(pick(Self.verbs)) the \(cb) \(b)."
    }

    mutating func domainSentence() -> String {
        "a \(pick(Self.materials)) \(pick(Self.plants)) \(pick(Self.growth)) \(pick(Self.places)) the \(pick(Self.materials)) \(pick(Self.plants))."
    }

    /// `count` documents of 3–5 sentences each.
    mutating func documents(_ count: Int, sentence: (inout SyntheticText) -> String) -> [String] {
        (0..<count).map { _ in (0..<(3 + next(3))).map { _ in sentence(&self) }.joined(separator: " ") }
    }

    /// Documents as a `.txt` file: one per paragraph.
    static func file(_ documents: [String]) -> String { documents.joined(separator: "\n\n") + "\n" }
}
