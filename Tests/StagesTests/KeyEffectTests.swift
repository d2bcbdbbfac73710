import Foundation
import Orchestration
@testable import Recipes
@testable import Stages
import Testing
import TestSupport
import Tokenization

/// Issue 22's acceptance: every key of every stage kind in the key tables does what docs/recipes.md says.
/// For each key, two stages differing only in that key run on tiny data, and the test checks the change
/// reaches what the key documents (the published output, the training log, or the validation metrics);
/// keys that would be ignored are refused by `validate` instead (`KeysWithoutEffectTests`). The case
/// table is checked against the key tables, so a new key without a case fails here.
@Suite struct KeyEffectTests {
    /// Where a key's effect shows.
    enum Effect: Sendable {
        /// The published output (everything but `logs/`) differs.
        case output
        /// The training log (`logs/metrics.jsonl`: which steps are recorded, validation lines) differs.
        case trainingLog
        /// The lock's metrics differ (validation loss on other data); the model may not.
        case metrics
        /// The key's one allowed value is its default, so there is nothing to vary (checked in the table).
        case onlyValue
        /// Documented to change speed or memory only: the output must be bit-identical.
        case sameOutput
        /// Shown by the named test, because it needs an interrupted run.
        case provenBy(String)
    }

    /// Two settings of one key (nil: not written) on top of the kind's baseline and `with`.
    struct Case: Sendable {
        var a: String?
        var b: String?
        /// Other keys both stages set (nil removes a baseline key).
        var with: [String: String?] = [:]
        var effect: Effect = .output
    }

    // MARK: the cases, by kind

    static let trainingCases: [String: Case] = [
        "from": Case(a: "base", b: "base2"),
        "tokenizer": Case(a: "tok", b: "tok2"),
        "model": Case(a: "{n_layer: 1, n_head: 2, n_embd: 16, n_positions: 256}", b: "{n_layer: 1, n_head: 2, n_embd: 8, n_positions: 256}",
                      with: ["from": "scratch", "tokenizer": "tok"]),
        "datasets": Case(a: "[{path: data/qa.jsonl, type: alpaca}]", b: "[{path: data/qa2.jsonl, type: alpaca}]"),
        "test_datasets": Case(a: "[{path: data/qa.jsonl, type: alpaca}]", b: "[{path: data/qa2.jsonl, type: alpaca}]", effect: .metrics),
        "val_set_size": Case(a: "0", b: "0.3"),
        "sequence_len": Case(a: "200", b: "16", with: ["datasets": "[{path: data/text2.txt}]"]),
        "sample_packing": Case(a: "false", b: "true", with: ["datasets": "[{path: data/qa2.jsonl, type: alpaca}]", "sequence_len": "256"]),
        "train_on_inputs": Case(a: "false", b: "true"),
        "train_on_eos": Case(a: "true", b: "false"),
        "chat_template": Case(a: "alpaca", b: "chatml"),
        "train_on": Case(a: "assistant", b: "all", with: ["datasets": "[{path: data/chat.jsonl, type: chat}]", "chat_template": "chatml"]),
        "truncation": Case(a: "drop", b: "truncate"),
        "max_steps": Case(a: "2", b: "3"),
        "num_epochs": Case(a: "0.5", b: "1", with: ["max_steps": nil]),
        "micro_batch_size": Case(a: "2", b: "1"),
        "gradient_accumulation_steps": Case(a: "1", b: "2"),
        "learning_rate": Case(a: "0.01", b: "0.02"),
        "lr_scheduler": Case(a: "cosine", b: "linear", with: ["max_steps": "4", "warmup_steps": "1"]),
        "warmup_steps": Case(a: "0", b: "1"),
        "warmup_ratio": Case(a: "0", b: "0.5"),
        "cosine_min_lr_ratio": Case(a: "0", b: "0.5", with: ["max_steps": "3"]),
        "optimizer": Case(a: nil, b: nil, effect: .onlyValue),
        "weight_decay": Case(a: "0", b: "0.5"),
        "adam_beta1": Case(a: "0.9", b: "0.5", with: ["max_steps": "3"]),
        "adam_beta2": Case(a: "0.999", b: "0.5", with: ["max_steps": "3"]),
        "adam_epsilon": Case(a: "1.0e-8", b: "0.1"),
        "max_grad_norm": Case(a: "1", b: "0.001"),
        "eval_steps": Case(a: "1", b: "4", with: ["max_steps": "4", "val_set_size": "0.3"], effect: .trainingLog),
        "save_steps": Case(a: nil, b: "1", effect: .provenBy("TrainingStageResumeTests")),
        "logging_steps": Case(a: "1", b: "2", with: ["max_steps": "4"], effect: .trainingLog),
        "early_stopping_patience": Case(a: "1", b: "8", with: ["max_steps": "8", "val_set_size": "0.3", "eval_steps": "1",
                                                           "learning_rate": "0.5", "lr_scheduler": "constant"]),
        "freeze_trainable_layers": Case(a: "1", b: "-1"),
        "unfrozen_parameters": Case(a: #"['h\.0\.']"#, b: #"['h\.1\.']"#),
        "seed": Case(a: "1", b: "2"),
        "threads": Case(a: "1", b: "2", effect: .sameOutput),
        "max_samples": Case(a: "3", b: "6"),
    ]

    static let adapterCases: [String: Case] = trainingCases.filter { !["model", "freeze_trainable_layers", "unfrozen_parameters"].contains($0.key) }
        .merging([
            "adapter": Case(a: nil, b: nil, effect: .onlyValue),
            "lora_r": Case(a: "2", b: "4"),
            "lora_alpha": Case(a: "4", b: "8"),
            "lora_dropout": Case(a: "0", b: "0.5"),
            "lora_target_modules": Case(a: "[c_attn]", b: "[c_proj]"),
            "lora_target_linear": Case(a: "false", b: "true"),
            "peft_use_rslora": Case(a: "false", b: "true"),
            "peft_layers_to_transform": Case(a: "[0]", b: "[1]"),
            "lora_modules_to_save": Case(a: nil, b: "[ln_f]"),
            "lora_model_dir": Case(a: "../adapters/a", b: "../adapters/b"),
            "merge_lora": Case(a: "false", b: "true"),
            "replay": Case(a: "{datasets: [{path: data/text.txt}], ratio: 0.25}", b: "{datasets: [{path: data/text.txt}], ratio: 0.5}"),
        ]) { $1 }

    static let classifyCases: [String: Case] = trainingCases.filter {
        !["sample_packing", "train_on_inputs", "train_on_eos", "chat_template", "train_on", "truncation"].contains($0.key)
    }.merging([
        "datasets": Case(a: "[{path: data/cls.jsonl, type: classification}]", b: "[{path: data/cls2.jsonl, type: classification}]"),
        "test_datasets": Case(a: "[{path: data/cls.jsonl, type: classification}]", b: "[{path: data/cls2.jsonl, type: classification}]",
                              effect: .metrics),
        "sequence_len": Case(a: "32", b: "6"),
        "labels": Case(a: "[neg, pos]", b: "[pos, neg]"),
        // issue 17: LoRA on a classifier (the head trains in full); every LoRA key needs adapter: lora
        "adapter": Case(a: nil, b: "lora"),
        "lora_r": Case(a: "2", b: "4", with: ["adapter": "lora"]),
        "lora_alpha": Case(a: "4", b: "8", with: ["adapter": "lora"]),
        "lora_dropout": Case(a: "0", b: "0.5", with: ["adapter": "lora"]),
        "lora_target_modules": Case(a: "[c_attn]", b: "[c_proj]", with: ["adapter": "lora"]),
        "lora_target_linear": Case(a: "false", b: "true", with: ["adapter": "lora"]),
        "peft_use_rslora": Case(a: "false", b: "true", with: ["adapter": "lora"]),
        "peft_layers_to_transform": Case(a: "[0]", b: "[1]", with: ["adapter": "lora"]),
        "lora_modules_to_save": Case(a: nil, b: "[ln_f]", with: ["adapter": "lora"]),
        "merge_lora": Case(a: "false", b: "true", with: ["adapter": "lora"]),
    ]) { $1 }

    static let tokenizeCases: [String: Case] = [
        "datasets": Case(a: "[{path: data/text.txt}]", b: "[{path: data/text2.txt}]"),
        "vocab_size": Case(a: "270", b: "280"),
        "min_frequency": Case(a: "1", b: "3", with: ["vocab_size": "2000"]),
        "special_tokens": Case(a: "['<|endoftext|>']", b: "['<|endoftext|>', '<|pad|>']"),
        "from": Case(a: "../hfA", b: "../hfB", with: ["vocab_size": nil]),
        "threads": Case(a: "1", b: "2", effect: .sameOutput),
        "max_samples": Case(a: "3", b: "12"),
    ]

    static let evaluateCases: [String: Case] = [
        "models": Case(a: "[base]", b: "[base2]"),
        "test_datasets": Case(a: "[{path: data/qa.jsonl, type: alpaca}]", b: "[{path: data/qa2.jsonl, type: alpaca}]"),
        "eval_metrics": Case(a: "[loss]", b: "[perplexity]"),
        "eval_batch_size": Case(a: "1", b: "8", effect: .sameOutput),
        "eval_sequence_len": Case(a: "200", b: "64"),
        "generation_max_new_tokens": Case(a: "2", b: "6"),
        "generation_temperature": Case(a: "0", b: "1.5"),
        "samples": Case(a: "{prompts: ['the fox']}", b: "{prompts: ['a glass vine']}"),
        "chat_template": Case(a: "alpaca", b: "chatml"),
        "seed": Case(a: "1", b: "2", with: ["generation_temperature": "1.5"]),
        "threads": Case(a: "1", b: "2", effect: .sameOutput),
        "max_samples": Case(a: "2", b: "6"),
    ]

    static let baselines: [StageKind: [String: String]] = {
        let training = ["from": "base", "datasets": "[{path: data/qa.jsonl, type: alpaca}]", "max_steps": "2",
                        "micro_batch_size": "2", "sequence_len": "200", "learning_rate": "0.01"]
        var adapter = training
        adapter["lora_r"] = "2"
        var classify = training
        classify["datasets"] = "[{path: data/cls.jsonl, type: classification}]"
        classify["sequence_len"] = "32"
        return [
            .tokenize: ["datasets": "[{path: data/text.txt}]", "vocab_size": "300"],
            .pretrainContinue: training, .instruct: training, .domainAdapt: training,
            .attachAdapters: adapter, .classify: classify,
            .evaluate: ["models": "[base]", "test_datasets": "[{path: data/qa.jsonl, type: alpaca}]", "eval_metrics": "[loss]",
                        "eval_sequence_len": "200", "generation_max_new_tokens": "4", "samples": "{prompts: ['the fox']}"],
        ]
    }()

    /// Keys about where and how a stage runs, whose effect needs another process: `deterministic` re-executes
    /// `lathe` on pinned kernels (one digest under every kernel family and thread count, else several);
    /// `ranks` is the number of Slurm tasks (`sbatch --ntasks`), outside the stage key.
    static let placementCases: [String: Case] = [
        "deterministic": Case(a: nil, b: "true", effect: .provenBy("CLIDeterminismTests")),
        "ranks": Case(a: nil, b: "2", effect: .provenBy("CLISlurmResourceTests")),
    ]

    /// `mlm_probability` needs a BERT encoder (decoders refuse it): its pair runs in `MaskedLMStageTests`.
    static let maskedLMCases: [String: Case] = [
        "mlm_probability": Case(a: nil, b: "0.4", effect: .provenBy("MaskedLMStageTests")),
    ]

    static func cases(_ kind: StageKind) -> [String: Case] {
        let own: [String: Case] = switch kind {
        case .tokenize: tokenizeCases
        case .pretrainContinue: trainingCases.merging(maskedLMCases) { $1 }
        case .instruct: trainingCases
        case .domainAdapt: trainingCases.merging(["replay": adapterCases["replay"]!]) { $1 }.merging(maskedLMCases) { $1 }
        case .attachAdapters: adapterCases
        case .classify: classifyCases
        case .evaluate: evaluateCases
        }
        let keys = Set(KeyTables.keys(for: kind).keys.map(\.name))
        return own.merging(placementCases.filter { keys.contains($0.key) }) { mine, _ in mine }
    }

    // MARK: tests

    @Test("Every key of every stage kind in the key tables has an effect case, and every case names a key of the kind",
          arguments: StageKind.allCases)
    func everyKeyHasACase(_ kind: StageKind) {
        let keys = Set(KeyTables.keys(for: kind).keys.map(\.name))
        let covered = Set(Self.cases(kind).keys)
        #expect(keys.subtracting(covered).sorted() == [], "keys of '\(kind.rawValue)' without a case")
        #expect(covered.subtracting(keys).sorted() == [], "cases of '\(kind.rawValue)' for keys it does not have")
        for (key, c) in Self.cases(kind) {
            if case .onlyValue = c.effect {
                let spec = KeyTables.keys(for: kind).keys.first { $0.name == key }
                guard case .enumeration(let values)? = spec?.type else { Issue.record("\(key) is not an enumeration"); continue }
                #expect(values.count == 1, "'\(key)' has more than one value, so it needs a real case")
            }
        }
    }

    @Test("Setting a key to another value changes what the key documents", arguments: StageKind.allCases)
    func everyKeyHasItsEffect(_ kind: StageKind) throws {
        let project = Self.project()
        if kind == .attachAdapters { try Self.writeAdapters(project) }
        var stages: [String] = []
        var pairs: [(key: String, effect: Effect)] = []
        for (key, c) in Self.cases(kind).sorted(by: { $0.key < $1.key }) {
            switch c.effect {
            case .onlyValue, .provenBy: continue
            default: break
            }
            for (side, value) in [("a", c.a), ("b", c.b)] {
                var keys = Self.baselines[kind]!
                for (k, v) in c.with { keys[k] = v }
                keys[key] = value
                let fields = keys.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                stages.append("  \(key)_\(side): {kind: \(kind.rawValue), \(fields)}")
            }
            pairs.append((key, c.effect))
        }
        let (records, failures) = try Self.run(project, stages: stages)
        #expect(failures.isEmpty, "stages that failed: \(failures)")
        for (key, effect) in pairs {
            guard let a = records["\(key)_a"], let b = records["\(key)_b"] else {
                Issue.record("no results for the '\(key)' pair of a '\(kind.rawValue)' stage")
                continue
            }
            if key != "threads" { #expect(a.key != b.key, "'\(key)' does not change the stage key") }
            switch effect {
            case .output: #expect(a.outputDigest != b.outputDigest, "'\(key)' in a '\(kind.rawValue)' stage did not change the output")
            case .sameOutput: #expect(a.outputDigest == b.outputDigest, "'\(key)' in a '\(kind.rawValue)' stage changed the output")
            case .metrics: #expect(a.metrics != b.metrics, "'\(key)' in a '\(kind.rawValue)' stage did not change the metrics")
            case .trainingLog:
                #expect(a.outputs["logs/metrics.jsonl"]?.sha256 != b.outputs["logs/metrics.jsonl"]?.sha256,
                        "'\(key)' in a '\(kind.rawValue)' stage did not change the training log")
            case .onlyValue, .provenBy: break
            }
        }
    }

    // MARK: the tiny project

    /// Data, two tokenizers and two tiny base models every case draws on.
    static func project() -> TemporaryProject {
        let p = TemporaryProject()
        var g = SyntheticText(seed: 5)
        p.write("pipelines/data/text.txt", (0..<12).map { _ in g.generalSentence() }.joined(separator: "\n") + "\n")
        p.write("pipelines/data/text2.txt", (0..<12).map { _ in g.domainSentence() }.joined(separator: "\n") + "\n")
        func alpaca(_ n: Int, long: Int) -> String {
            (0..<n).map { i in
                let output = i < long ? (0..<12).map { _ in g.domainSentence() }.joined(separator: " ") : g.generalSentence()
                return #"{"instruction": "describe thing \#(i)", "input": "", "output": "\#(output)"}"#
            }.joined(separator: "\n") + "\n"
        }
        p.write("pipelines/data/qa.jsonl", alpaca(8, long: 2))
        p.write("pipelines/data/qa2.jsonl", alpaca(8, long: 0))
        p.write("pipelines/data/chat.jsonl", (0..<6).map { _ in
            #"{"messages": [{"role": "user", "content": "\#(g.generalSentence())"}, {"role": "assistant", "content": "\#(g.domainSentence())"}]}"#
        }.joined(separator: "\n") + "\n")
        func classification(_ n: Int) -> String {
            (0..<n).map { i in #"{"text": "\#(i % 2 == 0 ? g.generalSentence() : g.domainSentence())", "label": "\#(i % 2 == 0 ? "neg" : "pos")"}"# }
                .joined(separator: "\n") + "\n"
        }
        p.write("pipelines/data/cls.jsonl", classification(8))
        p.write("pipelines/data/cls2.jsonl", classification(8))
        for (folder, vocab) in [("hfA", 280), ("hfB", 290)] {
            let tokenizer = try! BPETrainer(vocabSize: vocab, minFrequency: 1).train([Array(p.read("pipelines/data/text.txt")!.utf8)])
            try! FileManager.default.createDirectory(at: p.root.appendingPathComponent(folder), withIntermediateDirectories: true)
            try! tokenizer.write(to: p.root.appendingPathComponent("\(folder)/tokenizer.json"))
        }
        return p
    }

    /// The stages every case's stages stand on.
    static let upstream = """
        name: effects
        seed: 3
        stages:
          tok: {kind: tokenize, datasets: [{path: data/text.txt}, {path: data/qa.jsonl, type: alpaca}], vocab_size: 300}
          tok2: {kind: tokenize, datasets: [{path: data/text2.txt}], vocab_size: 290}
          base: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 2, n_head: 2, n_embd: 16, n_positions: 256}, datasets: [{path: data/text.txt}], max_steps: 1, sequence_len: 32}
          base2: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 2, n_head: 2, n_embd: 16, n_positions: 256}, datasets: [{path: data/text.txt}], max_steps: 1, sequence_len: 32, seed: 9}

        """

    /// Two PEFT adapters on `base` for `lora_model_dir`, copied out of the store into `adapters/a|b`.
    static func writeAdapters(_ p: TemporaryProject) throws {
        let (records, failures) = try run(p, stages: (1...2).map {
            "  l\($0): {kind: attach-adapters, from: base, lora_r: 2, seed: \($0), datasets: [{path: data/qa2.jsonl, type: alpaca}], max_steps: 1, sequence_len: 200}"
        })
        #expect(failures.isEmpty, "adapter stages failed: \(failures)")
        for (stage, folder) in [("l1", "a"), ("l2", "b")] {
            let record = try #require(records[stage])
            let target = p.root.appendingPathComponent("adapters/\(folder)")
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: ArtifactStore(root: p.store).outputDirectory(record.key), to: target)
        }
    }

    /// Runs the upstream stages and `stages` through the real loader and executor.
    static func run(_ p: TemporaryProject, stages: [String]) throws -> (records: [String: StageRecord], failures: [String]) {
        let url = p.write("pipelines/effects.yaml", upstream + stages.joined(separator: "\n") + "\n")
        let loaded = try RecipeLoader(projectRoot: p.root, modelFolders: ModelFolderPreflight()).load(recipeAt: url)
        let recipe = loaded.recipe
        let graph = try PipelineGraph(StageSpecs.make(from: recipe))
        let failures = Failures()
        let summary = try Executor(graph: graph, store: ArtifactStore(root: p.store), projectRoot: p.root,
                                   lockURL: LockFile.url(forRecipe: url), recipeName: recipe.name,
                                   runner: StageRegistry(recipe: recipe), cancel: CancellationFlag())
            .run(options: .init(keepGoing: true)) { event in
                if case .failed(let stage, let message) = event { failures.add("\(stage): \(message)") }
            }
        return (summary.lock.stages, failures.all)
    }
}

/// Failure messages collected from executor events.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [String] = []
    func add(_ m: String) { lock.lock(); messages.append(m); lock.unlock() }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return messages }
}
