/// Everything a run report shows, gathered once (``ReportCollector``) and rendered by
/// ``HTMLReport`` and ``MarkdownReport``, which are pure functions of it.
///
/// Order is meaningful and deterministic: stages in the graph's topological order, models and
/// datasets of an evaluation in the order they were found, sorted when the source is a JSON object.
public struct ReportData: Sendable, Equatable {
    /// The recipe's `name:`.
    public var recipe: String
    /// Every stage of the recipe, in topological order.
    public var stages: [StageReport]
    /// One entry per evaluate stage that has a readable `metrics.json`.
    public var evaluations: [EvaluationReport]
    /// Problems met while gathering (an unreadable log, say), shown at the end of the report.
    public var notes: [String]

    public init(recipe: String, stages: [StageReport], evaluations: [EvaluationReport] = [], notes: [String] = []) {
        self.recipe = recipe
        self.stages = stages
        self.evaluations = evaluations
        self.notes = notes
    }
}

/// One stage: where it sits in the graph, whether it has a result, what it cost and how it trained.
public struct StageReport: Sendable, Equatable {
    /// Whether the report's figures belong to the recipe as it is now.
    public enum Status: Sendable, Equatable {
        /// The stored result matches the recipe now.
        case upToDate
        /// A stored result exists, but the recipe or an upstream changed since; the clause says how
        /// (`a run now would redo it: learning_rate 0.001 → 0.0005`).
        case outdated(String)
        /// The lock file records a result this store does not hold (fresh clone, `lathe gc`):
        /// cost and headline metrics come from the lock file, logs are unavailable.
        case notInStore
        /// Never run: nothing in the lock file or the store.
        case notRun

        /// A short label for tables.
        public var label: String {
            switch self {
            case .upToDate: "up to date"
            case .outdated: "outdated"
            case .notInStore: "not in this store"
            case .notRun: "not run yet"
            }
        }

        /// Whether there are figures to show.
        public var hasResult: Bool { self != .notRun }
    }

    public var name: String
    /// The stage kind as the recipe spells it (`instruct`, `attach-adapters`, …).
    public var kind: String
    /// A short description of the method beyond its kind (`LoRA r=8, α=16`, `last 2 blocks`), or empty.
    public var methodDetail: String
    /// Stages this one reads from, sorted.
    public var upstream: [String]
    public var status: Status
    /// Cost and headline figures (all optional: kinds record different things).
    public var cost: StageCost
    /// Training curve from `logs/metrics.jsonl`, in step order; empty for untrained kinds.
    public var curve: [CurvePoint]

    public init(
        name: String, kind: String, methodDetail: String = "", upstream: [String] = [], status: Status,
        cost: StageCost = StageCost(), curve: [CurvePoint] = []
    ) {
        self.name = name
        self.kind = kind
        self.methodDetail = methodDetail
        self.upstream = upstream
        self.status = status
        self.cost = cost
        self.curve = curve
    }

    /// `kind (detail)`, the "method" column.
    public var method: String { methodDetail.isEmpty ? kind : "\(kind) (\(methodDetail))" }
}

/// What a stage bought and cost, from its cost record (lock file / manifest) and `logs/summary.json`.
public struct StageCost: Sendable, Equatable {
    public var trainableParams: Double?
    public var totalParams: Double?
    /// Tokens the optimizer stepped over (`tokens`: steps × rows × sequence length).
    public var tokens: Double?
    /// Estimated training FLOPs (6·N per token).
    public var flops: Double?
    /// Wall-clock seconds of the stage's execution.
    public var wallSeconds: Double?
    /// Peak resident set of the process that ran it, in MiB.
    public var peakMemoryMiB: Double?
    public var steps: Double?
    /// Final training loss (`train_loss`).
    public var trainLoss: Double?
    /// Final validation loss (`val_loss`).
    public var valLoss: Double?
    public var stoppedEarly: Bool

    public init(
        trainableParams: Double? = nil, totalParams: Double? = nil, tokens: Double? = nil, flops: Double? = nil,
        wallSeconds: Double? = nil, peakMemoryMiB: Double? = nil, steps: Double? = nil, trainLoss: Double? = nil,
        valLoss: Double? = nil, stoppedEarly: Bool = false
    ) {
        self.trainableParams = trainableParams
        self.totalParams = totalParams
        self.tokens = tokens
        self.flops = flops
        self.wallSeconds = wallSeconds
        self.peakMemoryMiB = peakMemoryMiB
        self.steps = steps
        self.trainLoss = trainLoss
        self.valLoss = valLoss
        self.stoppedEarly = stoppedEarly
    }

    /// Trainable share of all parameters, 0…1, when both counts are known.
    public var trainableFraction: Double? {
        guard let trainableParams, let totalParams, totalParams > 0 else { return nil }
        return trainableParams / totalParams
    }
}

/// One logged training step: `loss` always, `val_loss` on evaluation steps.
public struct CurvePoint: Sendable, Equatable {
    public var step: Int
    public var loss: Double?
    public var valLoss: Double?

    public init(step: Int, loss: Double?, valLoss: Double? = nil) {
        self.step = step
        self.loss = loss
        self.valLoss = valLoss
    }
}

/// One evaluate stage's `metrics.json` (`{"models": {MODEL: {DATASET: {METRIC: value}}}}`) and samples.
public struct EvaluationReport: Sendable, Equatable {
    /// One model's value of one metric on one dataset.
    public struct Table: Sendable, Equatable {
        public var dataset: String
        /// Metric names, sorted.
        public var metrics: [String]
        /// Rows in model order; `values[i][j]` is model i's metric j (nil when not measured).
        public var models: [String]
        public var values: [[Double?]]

        public init(dataset: String, metrics: [String], models: [String], values: [[Double?]]) {
            self.dataset = dataset
            self.metrics = metrics
            self.models = models
            self.values = values
        }
    }

    /// One generation shown for a model.
    public struct Sample: Sendable, Equatable {
        public var model: String
        public var prompt: String
        public var output: String

        public init(model: String, prompt: String, output: String) {
            self.model = model
            self.prompt = prompt
            self.output = output
        }
    }

    public var stage: String
    /// One table per dataset, in dataset order.
    public var tables: [Table]
    public var samples: [Sample]

    public init(stage: String, tables: [Table], samples: [Sample] = []) {
        self.stage = stage
        self.tables = tables
        self.samples = samples
    }
}
