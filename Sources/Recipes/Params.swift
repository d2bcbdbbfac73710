/// What a `from:`, `tokenizer:` or `models:` entry names.
public enum FromRef: Sendable, Hashable, Codable {
    /// Fresh random weights (`from: scratch`).
    case scratch
    /// Another stage of the recipe, by name.
    case stage(String)
    /// A directory, project-root-relative (`pipelines/models/gpt2`).
    case path(String)

    public var stageName: String? { if case .stage(let name) = self { name } else { nil } }
}

/// Typed per-kind params: Axolotl key names in camelCase, defaults merged, aliases normalised,
/// paths project-root-relative.
public enum StageParams: Sendable, Hashable {
    case tokenize(TokenizeParams)
    /// pretrain-continue, domain-adapt, instruct.
    case training(TrainingParams)
    /// attach-adapters (includes the training keys).
    case adapters(AdapterParams)
    case evaluate(EvaluateParams)
    /// classify (includes the training keys).
    case classify(ClassifyParams)

    /// `deterministic: true`: the stage must run on OpenBLAS's Haswell kernels (see `BLASCore`).
    public var deterministic: Bool {
        switch self {
        case .evaluate(let params): params.deterministic
        case .tokenize: false
        default: training?.deterministic ?? false
        }
    }

    /// The training keys of a training, adapter or classify stage.
    public var training: TrainingParams? {
        switch self {
        case .training(let params): params
        case .adapters(let params): params.training
        case .classify(let params): params.training
        case .tokenize, .evaluate: nil
        }
    }
}

public enum DatasetType: String, Sendable, Hashable, Codable, CaseIterable {
    case completion, alpaca, dolly, inputOutput = "input_output", tokenized, chat, sharegpt, classification
}

/// Field names of a dataset's records (`field_messages`, `message_field_role`, …); nil = standard.
public struct DatasetFields: Sendable, Hashable, Codable {
    public var messages: String?
    public var role: String?
    public var content: String?
    public var instruction: String?
    public var input: String?
    public var output: String?

    public init(messages: String? = nil, role: String? = nil, content: String? = nil,
                instruction: String? = nil, input: String? = nil, output: String? = nil) {
        self.messages = messages
        self.role = role
        self.content = content
        self.instruction = instruction
        self.input = input
        self.output = output
    }
}

/// `train_on`: which tokens of a rendered conversation carry loss.
public enum TrainOn: String, Sendable, Hashable, Codable, CaseIterable {
    case assistant, lastAssistant = "last_assistant", all
}

/// `truncation`: what happens to a record longer than `sequence_len`.
public enum TruncationPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    case drop, truncate, split
}

/// How a `.txt` file splits into documents.
public enum SplitDocuments: String, Sendable, Hashable, Codable, CaseIterable {
    case line, blankLine = "blank_line", none
}

/// One entry of `datasets:` / `test_datasets:` / `replay.datasets:`.
public struct DatasetSpec: Sendable, Hashable, Codable {
    /// Project-root-relative path of an existing file.
    public var path: String
    public var type: DatasetType
    /// JSON field holding the text of completion records (nil = `text`).
    public var field: String?
    public var splitDocuments: SplitDocuments
    public var fields = DatasetFields()
    /// classification: the text, label and optional second-text fields or columns.
    public var textField: String = "text"
    public var labelField: String = "label"
    public var textPairField: String?
    /// classification CSV/TSV without a header: the column names (nil = the first row names them).
    public var columns: [String]?
}

/// GPT-2 architecture for `from: scratch` (HF `config.json` names).
public struct ModelConfig: Sendable, Hashable, Codable {
    /// HF model_type: gpt2, llama, qwen2, mistral or bert.
    public var architecture: String
    /// nil = the tokenizer's vocabulary size.
    public var vocabSize: Int?
    public var nPositions: Int
    public var nEmbd: Int
    public var nLayer: Int
    public var nHead: Int
    public var layerNormEpsilon: Double
    public var initializerRange: Double
    /// nil = n_head.
    public var nKVHead: Int?
    /// nil = n_embd / n_head.
    public var headDim: Int?
    /// nil = 4 × n_embd.
    public var intermediateSize: Int?
    /// nil = 10000.
    public var ropeTheta: Double?
    /// nil = true.
    public var tieWordEmbeddings: Bool?
    /// BERT's token type rows; nil = 2.
    public var typeVocabSize: Int? = nil
}

public struct ReplaySpec: Sendable, Hashable, Codable {
    public var datasets: [DatasetSpec]
    /// Fraction of each batch's sequences drawn from the replay data, in [0, 1).
    public var ratio: Double
}

public enum LRScheduler: String, Sendable, Hashable, Codable, CaseIterable {
    case cosine, linear, constant, constantWithWarmup = "constant_with_warmup"
}

public enum OptimizerKind: String, Sendable, Hashable, Codable, CaseIterable { case adamw }

public struct TokenizeParams: Sendable, Hashable, Codable {
    public var datasets: [DatasetSpec]
    public var vocabSize: Int
    public var minFrequency: Int
    public var specialTokens: [String]
    /// Reuse this tokenizer instead of training one (`.stage` or `.path`); nil or `.scratch` = train.
    public var from: FromRef?
    public var maxSamples: Int?
    public var threads: Int?
}

/// Keys shared by pretrain-continue, domain-adapt, instruct and attach-adapters.
public struct TrainingParams: Sendable, Hashable, Codable {
    public var from: FromRef
    /// `.stage` (a tokenize stage) or `.path`; nil = the `from` model's tokenizer.
    public var tokenizer: FromRef?
    /// Only with `from: scratch` (and then always set, defaults filled).
    public var model: ModelConfig?
    public var datasets: [DatasetSpec]
    public var testDatasets: [DatasetSpec]
    /// Fraction (< 1) or record count (≥ 1) held out for validation; 0 = none.
    public var valSetSize: Double
    /// nil = the model's n_positions.
    public var sequenceLen: Int?
    public var samplePacking: Bool
    public var trainOnInputs: Bool
    public var trainOnEos: Bool
    /// `chat_template`; nil = `tokenizer` for chat data, the alpaca prompt for alpaca/dolly records.
    public var chatTemplate: String? = nil
    public var trainOn: TrainOn = .assistant
    public var truncation: TruncationPolicy = .drop
    /// Wins over `numEpochs` when set.
    public var maxSteps: Int?
    public var numEpochs: Double
    public var microBatchSize: Int
    public var gradientAccumulationSteps: Int
    public var learningRate: Double
    public var lrScheduler: LRScheduler
    public var warmupSteps: Int?
    public var warmupRatio: Double?
    public var cosineMinLrRatio: Double
    public var optimizer: OptimizerKind
    public var weightDecay: Double
    public var adamBeta1: Double
    public var adamBeta2: Double
    public var adamEpsilon: Double
    /// 0 = no clipping.
    public var maxGradNorm: Double
    public var evalSteps: Int?
    public var saveSteps: Int?
    public var loggingSteps: Int
    public var earlyStoppingPatience: Int?
    public var seed: Int
    public var threads: Int?
    /// Same bits on every AVX2+FMA CPU (Haswell kernels); part of the cache key.
    public var deterministic: Bool = false
    public var freezeTrainableLayers: Int?
    public var unfrozenParameters: [String]
    /// domain-adapt only.
    public var replay: ReplaySpec?
    public var maxSamples: Int?
    /// `ranks`: Open MPI ranks of the stage's Slurm job (nil = 1); not part of the cache key.
    public var ranks: Int? = nil
    /// `mlm_probability` as written (pretrain-continue and domain-adapt on a BERT encoder); nil = not given.
    public var mlmProbability: Double? = nil

    /// The masked-LM share an encoder stage trains with: `mlm_probability`, else its default.
    public var maskedLMProbability: Double { mlmProbability ?? Self.defaultMaskedLMProbability }
    /// `mlm_probability`'s default (declared in the key tables).
    public static var defaultMaskedLMProbability: Double { KeyTables.mlmProbabilityDefault }
}

/// attach-adapters: the training keys plus LoRA's. Training keys read through (`params.learningRate`).
@dynamicMemberLookup
public struct AdapterParams: Sendable, Hashable, Codable {
    public var training: TrainingParams
    public var adapter: String
    public var loraR: Int
    /// Defaults to 2 × `loraR`.
    public var loraAlpha: Double
    public var loraDropout: Double
    public var loraTargetModules: [String]
    public var loraTargetLinear: Bool
    public var peftUseRslora: Bool
    public var peftLayersToTransform: [Int]?
    public var loraModulesToSave: [String]
    /// Project-root-relative adapter directory to continue from.
    public var loraModelDir: String?
    public var mergeLora: Bool

    public subscript<T>(dynamicMember keyPath: KeyPath<TrainingParams, T>) -> T { training[keyPath: keyPath] }
}

/// classify: the training keys and the label set.
@dynamicMemberLookup
public struct ClassifyParams: Sendable, Hashable, Codable {
    public var training: TrainingParams
    /// Class names in id order; nil = inferred from the training data (sorted).
    public var labels: [String]?
    /// `adapter: lora`: LoRA on the frozen model, the head trained in full; nil = every weight trains.
    public var lora: ClassifyLoRAParams? = nil

    public subscript<T>(dynamicMember keyPath: KeyPath<TrainingParams, T>) -> T { training[keyPath: keyPath] }
}

/// A LoRA classify stage's adapter keys (`adapter: lora`), defaults filled by the loader.
public struct ClassifyLoRAParams: Sendable, Hashable, Codable {
    public var loraR: Int
    public var loraAlpha: Double
    public var loraDropout: Double
    /// nil = PEFT's default for the model family.
    public var loraTargetModules: [String]?
    public var loraTargetLinear: Bool
    public var peftUseRslora: Bool
    public var peftLayersToTransform: [Int]?
    /// Besides the classification head, which always trains and is saved.
    public var loraModulesToSave: [String]
    public var mergeLora: Bool
}

/// A metric an evaluate stage computes per (model, data set); see the `evaluate` stage for definitions.
public enum EvalMetric: String, Sendable, Hashable, Codable, CaseIterable {
    case loss, perplexity, exactMatch = "exact_match", tokenF1 = "token_f1", accuracy, macroF1 = "macro_f1", forgetting
}

public enum EvalRole: String, Sendable, Hashable, Codable, CaseIterable {
    case inDomain = "in_domain", forgetting
}

public struct EvalDatasetSpec: Sendable, Hashable, Codable {
    public var path: String
    public var type: DatasetType
    public var field: String?
    public var splitDocuments: SplitDocuments
    public var fields = DatasetFields()
    public var role: EvalRole
    /// nil = the stage's `evalMetrics`.
    public var metrics: [EvalMetric]?
    public var choices: String?
    public var name: String?
    /// classification: as ``DatasetSpec``.
    public var textField: String = "text"
    public var labelField: String = "label"
    public var textPairField: String?
    public var columns: [String]?

    /// The data source part of the entry (path, type, fields, split), as training stages read it.
    public var source: DatasetSpec {
        DatasetSpec(path: path, type: type, field: field, splitDocuments: splitDocuments, fields: fields, textField: textField,
                    labelField: labelField, textPairField: textPairField, columns: columns)
    }
    /// The entry's key in metrics.json and the lock file: `name`, else the path.
    public var label: String { name ?? path }
}

public struct SamplesSpec: Sendable, Hashable, Codable {
    public var prompts: [String]
    public var n: Int
    /// `system:`: the system message before every prompt (chat templates only).
    public var system: String?
}

public struct EvaluateParams: Sendable, Hashable, Codable {
    /// `.stage` or `.path`, in report order.
    public var models: [FromRef]
    public var testDatasets: [EvalDatasetSpec]
    /// nil = the per-data-set-type defaults.
    public var evalMetrics: [EvalMetric]?
    public var evalBatchSize: Int
    public var evalSequenceLen: Int?
    public var generationMaxNewTokens: Int
    public var generationTemperature: Double
    public var samples: SamplesSpec?
    public var maxSamples: Int?
    public var seed: Int
    public var threads: Int?
    /// Same bits on every AVX2+FMA CPU (Haswell kernels); part of the cache key.
    public var deterministic: Bool = false
    /// `chat_template`: when set, prompts, samples and conversations are rendered with it.
    public var chatTemplate: String? = nil
}
