public import Datasets
public import Foundation
import Orchestration
public import Recipes
import Tokenization

/// `kind: tokenize` — trains a byte-level BPE tokenizer on the stage's datasets, or takes one
/// `from:` another stage or an HF directory, and records how well it compresses each dataset.
/// Conversations (`chat`, `sharegpt`) count as their messages' text (``examples(_:)``).
///
/// Outputs: `tokenizer.json` (HF format) and `stats.json`
/// (`{"vocab_size": N, "datasets": {PATH: {"documents", "bytes", "tokens", "bytes_per_token"}}}`).
struct TokenizeStage: StageAdapter {
    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome {
        guard case .tokenize(let params) = stage.params else { throw StageError.unknownStage(stage.name) }
        let datasets = params.datasets.map { DatasetBridge.spec($0, root: context.projectRoot, maxSamples: params.maxSamples) }
        var examplesByDataset: [(String, [Example])] = []
        for (recipeSpec, spec) in zip(params.datasets, datasets) {
            context.report(.note("reading \(recipeSpec.path)"))
            examplesByDataset.append((recipeSpec.path, try Self.examples(spec)))
            if context.isCancelled() { throw StageCancelled() }
        }

        let tokenizer: BPETokenizer
        switch params.from {
        case .stage(let name)?:
            guard let dir = context.upstreamOutputs[name] else { throw StageError.missingUpstreamFile(stage: name, file: "tokenizer.json") }
            tokenizer = try BPETokenizer.load(contentsOf: dir.appendingPathComponent("tokenizer.json"))
        case .path(let path)?:
            let file = context.projectRoot.appendingPathComponent(path).appendingPathComponent("tokenizer.json")
            try InputFiles.checkFile(file.path, root: context.projectRoot.path)  // inside the project, a regular file
            tokenizer = try BPETokenizer.load(contentsOf: file)
        case .scratch?, nil:
            context.report(.note("training a \(params.vocabSize)-token BPE vocabulary"))
            var documents: [[UInt8]] = []
            for (_, examples) in examplesByDataset {
                for example in examples { documents.append(example.segments.flatMap(\.bytes)) }
            }
            let trainer = BPETrainer(vocabSize: params.vocabSize, minFrequency: params.minFrequency,
                                     specialTokens: params.specialTokens, threads: params.threads ?? ThreadSetting.count)
            tokenizer = try trainer.train(documents)
        }
        try FileManager.default.createDirectory(at: context.outputDirectory, withIntermediateDirectories: true)
        try tokenizer.write(to: context.outputDirectory.appendingPathComponent("tokenizer.json"))

        var perDataset: [String: JSONValue] = [:]
        var totalBytes = 0, totalTokens = 0
        for (path, examples) in examplesByDataset {
            let stats = try DatasetStats(examples: examples, tokenizer: tokenizer)
            totalBytes += stats.bytes
            totalTokens += stats.tokens
            perDataset[path] = .object([
                "documents": .int(stats.documents), "bytes": .int(stats.bytes), "tokens": .int(stats.tokens),
                "bytes_per_token": .double(Self.round(stats.bytesPerToken)),
            ])
        }
        let stats: JSONValue = .object(["vocab_size": .int(tokenizer.vocabSize), "datasets": .object(perDataset)])
        try Data(stats.rendered().utf8).write(to: context.outputDirectory.appendingPathComponent("stats.json"))
        let bytesPerToken = totalTokens > 0 ? Double(totalBytes) / Double(totalTokens) : 0
        return StageOutcome(
            metrics: ["vocab_size": Double(tokenizer.vocabSize), "bytes_per_token": Self.round(bytesPerToken)],
            cost: ["bytes": Double(totalBytes), "tokens": Double(totalTokens)])
    }

    /// The documents a vocabulary is learned from. A `chat` / `sharegpt` conversation is one document of
    /// its messages' text (joined by newlines): the tokenizer learns what the messages say, a chat
    /// template's markers are `special_tokens`, and the training stage that names the template renders
    /// the conversations and places their loss masks itself (through the encoded-dataset cache), so
    /// no template is chosen here. The records are checked as training checks them.
    static func examples(_ spec: Datasets.DatasetSpec) throws -> [Example] {
        guard spec.type.isConversation else { return try DatasetReader.examples(spec) }
        return try DatasetReader.heldOutConversations(spec).map { c in
            Example(segments: [.init(c.messages.map(\.content).joined(separator: "\n"), trained: true)], appendEOS: true,
                    trainEOS: true, source: c.source)
        }
    }

    /// Four decimals keep the lock file readable and stable.
    static func round(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }
}

/// Threads for a stage without `threads:`: `$LATHE_THREADS`, else every core.
enum ThreadSetting {
    static var count: Int {
        if let env = ProcessInfo.processInfo.environment["LATHE_THREADS"], let n = Int(env), n > 0 { return n }
        return ProcessInfo.processInfo.activeProcessorCount
    }
}

/// Translates the recipe's dataset entries into the Datasets module's specs.
public enum DatasetBridge {
    public static func spec(_ d: Recipes.DatasetSpec, root: URL, maxSamples: Int?, trainOnInputs: Bool = false, trainOnEOS: Bool = true,
                            chatTemplate: ChatTemplate? = nil, trainOn: Recipes.TrainOn = .assistant) -> Datasets.DatasetSpec {
        let type: Datasets.DatasetType
        switch d.type {
        case .completion: type = .completion
        case .alpaca: type = .alpaca
        case .dolly: type = .dolly
        case .inputOutput: type = .inputOutput
        case .tokenized: type = .tokenized
        case .chat: type = .chat
        case .sharegpt: type = .sharegpt
        case .classification: type = .classification
        }
        let f = d.fields
        var spec = Datasets.DatasetSpec(path: root.appendingPathComponent(d.path), type: type,
                                        field: d.type == .classification ? d.textField : d.field,
                                        trainOnInputs: trainOnInputs, trainOnEOS: trainOnEOS, documentSplit: d.splitDocuments, maxSamples: maxSamples, root: root,
                                        fields: FieldMapping(messages: f.messages, role: f.role, content: f.content, instruction: f.instruction,
                                                             input: f.input, output: f.output),
                                        chatTemplate: chatTemplate, trainOn: Datasets.TrainOn(rawValue: trainOn.rawValue) ?? .assistant)
        if d.type == .classification {
            spec.labelField = d.labelField
            spec.textPairField = d.textPairField
            spec.columns = d.columns
        }
        return spec
    }
}
