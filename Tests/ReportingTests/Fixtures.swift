import Foundation
import Reporting

/// A report covering every section and status, written out by hand:
///
///     tok ── base ─┬─ sft ───┐
///                  ├─ lora ──┼── eval
///                  └─ later  │
///                     base ──┘
enum Fixtures {
    /// Loss falling from 5 towards 2, logged every 10 steps; val_loss every 50.
    static func curve(steps: Int, start: Double, end: Double) -> [CurvePoint] {
        stride(from: 10, through: steps, by: 10).map { step in
            let t = Double(step) / Double(steps)
            let loss = end + (start - end) * exp(-4 * t)
            return CurvePoint(step: step, loss: loss, valLoss: step % 50 == 0 ? loss + 0.15 : nil)
        }
    }

    static var report: ReportData {
        ReportData(
            recipe: "demo",
            stages: [
                StageReport(name: "tok", kind: "tokenize", methodDetail: "vocab 1024", status: .upToDate,
                            cost: StageCost(tokens: 152_300, wallSeconds: 0.84)),
                StageReport(name: "base", kind: "pretrain-continue", methodDetail: "from scratch", upstream: ["tok"], status: .upToDate,
                            cost: StageCost(trainableParams: 940_800, totalParams: 940_800, tokens: 614_400, flops: 3.468e12,
                                            wallSeconds: 62.4, peakMemoryMiB: 268.4, steps: 300, trainLoss: 2.3105, valLoss: 2.4521),
                            curve: curve(steps: 300, start: 6.8, end: 2.3)),
                StageReport(name: "sft", kind: "instruct", upstream: ["base"], status: .notInStore,
                            cost: StageCost(trainableParams: 940_800, totalParams: 940_800, tokens: 307_200, flops: 1.734e12,
                                            wallSeconds: 31.7, peakMemoryMiB: 270, steps: 150, trainLoss: 0.1727, valLoss: 1.8351)),
                StageReport(name: "lora", kind: "attach-adapters", methodDetail: "LoRA r=8, α=16 on c_attn", upstream: ["base"],
                            status: .outdated("a run now would redo it: learning_rate 0.001 → 0.0005"),
                            cost: StageCost(trainableParams: 24_576, totalParams: 965_376, tokens: 307_200, flops: 1.78e12,
                                            wallSeconds: 19.25, peakMemoryMiB: 1536, steps: 150, trainLoss: 0.4, valLoss: 1.9),
                            curve: curve(steps: 150, start: 3.1, end: 0.4)),
                StageReport(name: "later", kind: "instruct", upstream: ["base"], status: .notRun),
                StageReport(name: "eval", kind: "evaluate", methodDetail: "3 models", upstream: ["base", "lora", "sft"], status: .upToDate,
                            cost: StageCost(wallSeconds: 4.5)),
            ],
            evaluations: [
                EvaluationReport(
                    stage: "eval",
                    tables: [
                        .init(dataset: "pipelines/data/qa-test.jsonl", metrics: ["loss", "perplexity", "exact_match"],
                              models: ["base", "sft", "lora"],
                              values: [[3.2, 24.53, 0.0], [1.84, 6.297, 0.42], [1.9, 6.686, 0.4]]),
                        .init(dataset: "pipelines/data/general-test.txt", metrics: ["perplexity", "forgetting"],
                              models: ["base", "sft", "lora"],
                              values: [[11.2, nil], [13.9, 0.2155], [11.6, 0.0351]]),
                    ],
                    samples: [
                        .init(model: "base", prompt: "What is glassvine?", output: "the the the"),
                        .init(model: "sft", prompt: "What is glassvine?", output: "A climbing plant with clear stems."),
                    ]),
            ],
            notes: ["pipelines/x/logs/metrics.jsonl: skipped 1 line that is not a JSON object with a 'step'."])
    }

    /// Strings a hostile recipe or model could put in a report.
    static let hostileName = "<script>alert('x')</script>&\"q\""
    static let hostileSample = "</td></tr></table><img src=x onerror=alert(1)> | `rm` \u{01}end"

    static var hostileReport: ReportData {
        var data = report
        data.recipe = hostileName
        data.stages[1].name = hostileName
        data.stages[5].upstream = [hostileName, "lora", "sft"]
        data.stages[3].status = .outdated("param \"a\" <changed>")
        data.evaluations[0].tables[0].models[0] = hostileName
        data.evaluations[0].tables[0].dataset = hostileSample
        data.evaluations[0].samples.append(.init(model: hostileName, prompt: hostileSample, output: hostileSample))
        data.notes.append(hostileSample)
        return data
    }
}
