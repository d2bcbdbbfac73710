/// The per-stage cost table both renderers print: method, trainable parameters (count and share),
/// tokens, FLOPs, wall time, peak memory and final losses, in human units. "–" marks a figure
/// the stage did not record.
struct SummaryTable {
    struct Column: Sendable {
        var header: String
        var numeric: Bool
        var cell: @Sendable (StageReport) -> String
    }

    static let dash = "–"

    static let columns: [Column] = [
        Column(header: "Stage", numeric: false) { $0.name },
        Column(header: "Method", numeric: false) { $0.method },
        Column(header: "Status", numeric: false) { $0.status.label },
        Column(header: "Trainable params", numeric: true) { s in s.cost.trainableParams.map(Units.count) ?? dash },
        Column(header: "Trainable %", numeric: true) { s in s.cost.trainableFraction.map(Units.percent) ?? dash },
        Column(header: "Tokens", numeric: true) { s in s.cost.tokens.map(Units.count) ?? dash },
        Column(header: "FLOPs", numeric: true) { s in s.cost.flops.map(Units.flops) ?? dash },
        Column(header: "Wall time", numeric: true) { s in s.cost.wallSeconds.map(Units.duration) ?? dash },
        Column(header: "Peak memory", numeric: true) { s in s.cost.peakMemoryMiB.map(Units.mebibytes) ?? dash },
        Column(header: "Train loss", numeric: true) { s in s.cost.trainLoss.map(Units.metric) ?? dash },
        Column(header: "Val loss", numeric: true) { s in s.cost.valLoss.map(Units.metric) ?? dash },
    ]

    /// Stages whose figures need a sentence under the table (outdated or missing from the store).
    static func footnotes(_ stages: [StageReport]) -> [(stage: String, text: String)] {
        stages.compactMap { s in
            switch s.status {
            case .outdated(let why): (s.name, "figures are from its last run; \(why).")
            case .notInStore: (s.name, "figures are from the lock file; its outputs (and loss curve) are not in this store.")
            case .upToDate, .notRun: nil
            }
        }
    }
}

/// Captions for a training stage's loss curve, shared by both renderers.
enum CurveSummary {
    /// `300 steps · final loss 2.310 · best val_loss 2.450 at step 300`.
    static func caption(_ stage: StageReport) -> String {
        var parts: [String] = []
        if let last = stage.curve.last { parts.append("\(last.step) steps") }
        if let final = stage.curve.last(where: { $0.loss != nil })?.loss { parts.append("final loss \(Units.metric(final))") }
        if let best = bestValidation(stage.curve) {
            parts.append("best val_loss \(Units.metric(best.value)) at step \(best.step)")
        }
        if stage.cost.stoppedEarly { parts.append("stopped early") }
        return parts.joined(separator: " · ")
    }

    static func bestValidation(_ curve: [CurvePoint]) -> (step: Int, value: Double)? {
        var best: (step: Int, value: Double)?
        for p in curve {
            if let v = p.valLoss, v.isFinite, v < (best?.value ?? .infinity) { best = (p.step, v) }
        }
        return best
    }
}
