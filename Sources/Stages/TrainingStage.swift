import JSONText
import Cluster
import Compute
import Datasets
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization
#if canImport(Glibc)
import Glibc
import Files
#endif

/// `pretrain-continue`, `domain-adapt` and `instruct`: one causal-LM training loop over the
/// shared engine; the kinds differ only in their data (completion text, domain text with
/// `replay:`, instruction records with the prompt masked).
///
/// Outputs (the entry's `out/` folder is itself an HF GPT-2 model folder):
/// `config.json`, `generation_config.json`, `model.safetensors`, `tokenizer.json`, and under
/// `logs/` (hashed, but outside the digest downstream keys see, since timings vary run to run):
/// `metrics.jsonl` (one JSON object per logged step: `step`, `loss`, `lr`, `grad_norm`,
/// `tokens_per_s`, and `val_loss` when evaluated) and `summary.json` (the cost record).
///
/// Resumable: every `save_steps` (and on interrupt) a checkpoint goes to the resume folder; a
/// rerun with the same key continues from it and ends with the same model bits.
struct TrainingStage: StageAdapter {
    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome {
        guard let p = stage.params.training else { throw StageError.unknownStage(stage.name) }
        let started = Date()
        ComputeThreads.set(p.threads)  // nil: $LATHE_THREADS, else every core
        let tokenizer = try ModelInputs.tokenizer(from: p.tokenizer ?? p.from, context: context)
        let model = try ModelInputs.model(p, recipe: recipe, tokenizer: tokenizer, context: context)
        let data = try TrainingRun.data(p, kind: stage.kind, tokenizer: tokenizer, config: model.config, context: context)
        let hp = TrainingRun.hyperparameters(p, trainRows: data.train.rowCount)
        let freezing = Freezing(trainableLayers: p.freezeTrainableLayers, unfrozenParameters: p.unfrozenParameters)
        let trainer = try GPTTrainer(model: model, data: data.train, hyperparameters: hp, freezing: freezing, replay: data.replay,
                                     workers: p.dataParallelWorkers, ranks: Ranks.world)
        let result = try TrainingRun.train(trainer, params: p, validation: data.validation, context: context)
        guard trainer.ranks.isWriter else { return StageOutcome(metrics: [:], cost: [:]) }  // rank 0 publishes

        let out = context.outputDirectory
        try model.exportHF(to: out)
        try tokenizer.write(to: out.appendingPathComponent("tokenizer.json"))
        if let chat = data.chatTemplate { try ChatTemplateFiles.write(chat.jinja, tokenizer: tokenizer, to: out) }
        return try result.writeLogs(to: out, kind: stage.kind, trainer: trainer, sequenceLength: data.sequenceLength, started: started, fit: data.fit)
    }
}

/// The process's peak resident set so far, in MiB: `VmHWM` of /proc/self/status, the high-water mark
/// of this program image. Not getrusage's `ru_maxrss`, which Linux carries across exec — a `lathe`
/// spawned by a large process (a test runner holding a 4 GB model) would report its parent's peak.
enum PeakMemory {
    static func mebibytes() -> Double {
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kib = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") {
            return (kib / 1024 * 10).rounded() / 10
        }
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return (Double(usage.ru_maxrss) / 1024 * 10).rounded() / 10
    }
}

/// `metrics.jsonl` kept in the resume folder while training, so a resumed run continues the same
/// log; lines past the restored checkpoint's step are dropped.
final class MetricsLog {
    let url: URL
    private var lines: [String]

    init(directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        url = directory.appendingPathComponent("metrics.jsonl")
        let text = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        lines = text.split(separator: "\n").map(String.init)
    }

    func append(_ value: JSONValue) { lines.append(value.compact()) }

    func truncate(after step: Int) {
        lines = lines.filter { line in
            guard let v = try? JSONValue.parse(line), let s = v["step"]?.intValue else { return false }
            return s <= step
        }
    }

    func flush() throws {
        try AtomicFile.write(Data((lines.map { $0 + "\n" }.joined()).utf8), to: url.path)
    }
}
