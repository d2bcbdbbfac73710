public import Datasets

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

/// `truncation`: what happens to a record longer than `sequence_len`.
public enum TruncationPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    case drop, truncate, split
}

/// One entry of `datasets:` / `test_datasets:` / `replay.datasets:`.
public struct DatasetSpec: Sendable, Hashable, Decodable {
    /// Project-root-relative path of an existing file.
    public var path: String
    public var type: DatasetType
    /// JSON field holding the text of completion records (nil = `text`).
    public var field: String?
    public var splitDocuments: DocumentSplit
    public var fields: FieldMapping
    /// classification: the text, label and optional second-text fields or columns.
    public var textField: String
    public var labelField: String
    public var textPairField: String?
    /// classification CSV/TSV without a header: the column names (nil = the first row names them).
    public var columns: [String]?

    /// `text_field` and `label_field` when absent. Not table defaults on purpose: a filled default would
    /// enter the cache key of every existing stage's datasets (`CanonicalParams`).
    public static let standardTextField = "text", standardLabelField = "label"

    enum CodingKeys: String, CodingKey {
        case path, type, field, splitDocuments = "split_documents", textField = "text_field", labelField = "label_field"
        case textPairField = "text_pair_field", columns
    }

    init(path: String, type: DatasetType, field: String?, splitDocuments: DocumentSplit, fields: FieldMapping = FieldMapping(),
         textField: String = DatasetSpec.standardTextField, labelField: String = DatasetSpec.standardLabelField,
         textPairField: String? = nil, columns: [String]? = nil) {
        self.path = path
        self.type = type
        self.field = field
        self.splitDocuments = splitDocuments
        self.fields = fields
        self.textField = textField
        self.labelField = labelField
        self.textPairField = textPairField
        self.columns = columns
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(path: c.decode(String.self, forKey: .path), type: c.decode(DatasetType.self, forKey: .type),
                      field: c.decodeIfPresent(String.self, forKey: .field),
                      splitDocuments: c.decode(DocumentSplit.self, forKey: .splitDocuments), fields: FieldMapping(from: decoder),
                      textField: c.decodeIfPresent(String.self, forKey: .textField) ?? Self.standardTextField,
                      labelField: c.decodeIfPresent(String.self, forKey: .labelField) ?? Self.standardLabelField,
                      textPairField: c.decodeIfPresent(String.self, forKey: .textPairField),
                      columns: c.decodeIfPresent([String].self, forKey: .columns))
    }
}

/// GPT-2 architecture for `from: scratch` (HF `config.json` names).
public struct ModelConfig: Sendable, Hashable, Decodable {
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
    public var typeVocabSize: Int?

    /// `architecture` when absent. Not a table default on purpose: a filled default would enter the cache
    /// key of every existing `from: scratch` stage (`CanonicalParams`).
    public static let defaultArchitecture = "gpt2"

    enum CodingKeys: String, CodingKey {
        case architecture, vocabSize = "vocab_size", nPositions = "n_positions", nEmbd = "n_embd", nLayer = "n_layer"
        case nHead = "n_head", layerNormEpsilon = "layer_norm_epsilon", initializerRange = "initializer_range"
        case nKVHead = "num_key_value_heads", headDim = "head_dim", intermediateSize = "intermediate_size"
        case ropeTheta = "rope_theta", tieWordEmbeddings = "tie_word_embeddings", typeVocabSize = "type_vocab_size"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decodeIfPresent(String.self, forKey: .architecture) ?? Self.defaultArchitecture
        vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize)
        nPositions = try c.decode(Int.self, forKey: .nPositions)
        nEmbd = try c.decode(Int.self, forKey: .nEmbd)
        nLayer = try c.decode(Int.self, forKey: .nLayer)
        nHead = try c.decode(Int.self, forKey: .nHead)
        layerNormEpsilon = try c.decode(Double.self, forKey: .layerNormEpsilon)
        initializerRange = try c.decode(Double.self, forKey: .initializerRange)
        nKVHead = try c.decodeIfPresent(Int.self, forKey: .nKVHead)
        headDim = try c.decodeIfPresent(Int.self, forKey: .headDim)
        intermediateSize = try c.decodeIfPresent(Int.self, forKey: .intermediateSize)
        ropeTheta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta)
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tieWordEmbeddings)
        typeVocabSize = try c.decodeIfPresent(Int.self, forKey: .typeVocabSize)
    }
}

/// `replay:` (both keys required by the table).
public struct ReplaySpec: Sendable, Hashable, Decodable {
    public var datasets: [DatasetSpec]
    /// Fraction of each batch's sequences drawn from the replay data, in [0, 1).
    public var ratio: Double
}

public enum LRScheduler: String, Sendable, Hashable, Codable, CaseIterable {
    case cosine, linear, constant, constantWithWarmup = "constant_with_warmup"
}

public enum OptimizerKind: String, Sendable, Hashable, Codable, CaseIterable { case adamw }

public struct TokenizeParams: Sendable, Hashable, Decodable {
    public var datasets: [DatasetSpec]
    public var vocabSize: Int
    public var minFrequency: Int
    public var specialTokens: [String]
    /// Reuse this tokenizer instead of training one (`.stage` or `.path`); nil = train (`from: scratch` too).
    public var from: FromRef?
    public var maxSamples: Int?
    public var threads: Int?

    enum CodingKeys: String, CodingKey {
        case datasets, vocabSize = "vocab_size", minFrequency = "min_frequency", specialTokens = "special_tokens", from
        case maxSamples = "max_samples", threads
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        datasets = try c.decode([DatasetSpec].self, forKey: .datasets)
        vocabSize = try c.decode(Int.self, forKey: .vocabSize)
        minFrequency = try c.decode(Int.self, forKey: .minFrequency)
        specialTokens = try c.decode([String].self, forKey: .specialTokens)
        from = try c.decodeIfPresent(FromRef.self, forKey: .from).flatMap { $0 == .scratch ? nil : $0 }
        maxSamples = try c.decodeIfPresent(Int.self, forKey: .maxSamples)
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
    }
}

/// Keys shared by pretrain-continue, domain-adapt, instruct and attach-adapters. Every default is the
/// key table's (`KeyTables.training`); an optional is a key without one.
public struct TrainingParams: Sendable, Hashable, Decodable {
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
    public var chatTemplate: String?
    public var trainOn: TrainOn
    public var truncation: TruncationPolicy
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
    public var deterministic: Bool
    public var freezeTrainableLayers: Int?
    public var unfrozenParameters: [String]
    /// domain-adapt only.
    public var replay: ReplaySpec?
    public var maxSamples: Int?
    /// `ranks`: Open MPI ranks of the stage's Slurm job; not part of the cache key.
    public var ranks: Int
    /// `mlm_probability` as written (pretrain-continue and domain-adapt on a BERT encoder); nil = not given.
    public var mlmProbability: Double?

    /// The masked-LM share an encoder stage trains with: `mlm_probability`, else its default.
    public var maskedLMProbability: Double { mlmProbability ?? Self.defaultMaskedLMProbability }
    /// `mlm_probability`'s default (declared in the key tables).
    public static var defaultMaskedLMProbability: Double { KeyTables.mlmProbabilityDefault }

    enum CodingKeys: String, CodingKey {
        case from, tokenizer, model, datasets, testDatasets = "test_datasets", valSetSize = "val_set_size"
        case sequenceLen = "sequence_len", samplePacking = "sample_packing", trainOnInputs = "train_on_inputs"
        case trainOnEos = "train_on_eos", chatTemplate = "chat_template", trainOn = "train_on", truncation
        case maxSteps = "max_steps", numEpochs = "num_epochs", microBatchSize = "micro_batch_size"
        case gradientAccumulationSteps = "gradient_accumulation_steps", learningRate = "learning_rate"
        case lrScheduler = "lr_scheduler", warmupSteps = "warmup_steps", warmupRatio = "warmup_ratio"
        case cosineMinLrRatio = "cosine_min_lr_ratio", optimizer, weightDecay = "weight_decay", adamBeta1 = "adam_beta1"
        case adamBeta2 = "adam_beta2", adamEpsilon = "adam_epsilon", maxGradNorm = "max_grad_norm", evalSteps = "eval_steps"
        case saveSteps = "save_steps", loggingSteps = "logging_steps", earlyStoppingPatience = "early_stopping_patience"
        case seed, threads, deterministic, freezeTrainableLayers = "freeze_trainable_layers"
        case unfrozenParameters = "unfrozen_parameters", replay, maxSamples = "max_samples", ranks
        case mlmProbability = "mlm_probability"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        from = try c.decode(FromRef.self, forKey: .from)
        tokenizer = try c.decodeIfPresent(FromRef.self, forKey: .tokenizer)
        model = try c.decodeIfPresent(ModelConfig.self, forKey: .model)
        datasets = try c.decode([DatasetSpec].self, forKey: .datasets)
        testDatasets = try c.decodeIfPresent([DatasetSpec].self, forKey: .testDatasets) ?? []
        valSetSize = try c.decode(Double.self, forKey: .valSetSize)
        sequenceLen = try c.decodeIfPresent(Int.self, forKey: .sequenceLen)
        // `classify` refuses these six keys (`KeyTables.refusedByKind`) and its stage reads none of them; the
        // fallbacks are only what its params have always held. Every other kind has the table's defaults.
        samplePacking = try c.decodeIfPresent(Bool.self, forKey: .samplePacking) ?? false
        trainOnInputs = try c.decodeIfPresent(Bool.self, forKey: .trainOnInputs) ?? false
        trainOnEos = try c.decodeIfPresent(Bool.self, forKey: .trainOnEos) ?? true
        chatTemplate = try c.decodeIfPresent(String.self, forKey: .chatTemplate)
        trainOn = try c.decodeIfPresent(TrainOn.self, forKey: .trainOn) ?? .assistant
        truncation = try c.decodeIfPresent(TruncationPolicy.self, forKey: .truncation) ?? .drop
        maxSteps = try c.decodeIfPresent(Int.self, forKey: .maxSteps)
        numEpochs = try c.decode(Double.self, forKey: .numEpochs)
        microBatchSize = try c.decode(Int.self, forKey: .microBatchSize)
        gradientAccumulationSteps = try c.decode(Int.self, forKey: .gradientAccumulationSteps)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        lrScheduler = try c.decode(LRScheduler.self, forKey: .lrScheduler)
        warmupSteps = try c.decodeIfPresent(Int.self, forKey: .warmupSteps)
        warmupRatio = try c.decodeIfPresent(Double.self, forKey: .warmupRatio)
        cosineMinLrRatio = try c.decode(Double.self, forKey: .cosineMinLrRatio)
        optimizer = try c.decode(OptimizerKind.self, forKey: .optimizer)
        weightDecay = try c.decode(Double.self, forKey: .weightDecay)
        adamBeta1 = try c.decode(Double.self, forKey: .adamBeta1)
        adamBeta2 = try c.decode(Double.self, forKey: .adamBeta2)
        adamEpsilon = try c.decode(Double.self, forKey: .adamEpsilon)
        maxGradNorm = try c.decode(Double.self, forKey: .maxGradNorm)
        evalSteps = try c.decodeIfPresent(Int.self, forKey: .evalSteps)
        saveSteps = try c.decodeIfPresent(Int.self, forKey: .saveSteps)
        loggingSteps = try c.decode(Int.self, forKey: .loggingSteps)
        earlyStoppingPatience = try c.decodeIfPresent(Int.self, forKey: .earlyStoppingPatience)
        seed = try c.decode(Int.self, forKey: .seed)
        threads = try c.decodeIfPresent(Int.self, forKey: .threads)
        deterministic = try c.decode(Bool.self, forKey: .deterministic)
        freezeTrainableLayers = try c.decodeIfPresent(Int.self, forKey: .freezeTrainableLayers)
        unfrozenParameters = try c.decodeIfPresent([String].self, forKey: .unfrozenParameters) ?? []
        replay = try c.decodeIfPresent(ReplaySpec.self, forKey: .replay)
        maxSamples = try c.decodeIfPresent(Int.self, forKey: .maxSamples)
        ranks = try c.decode(Int.self, forKey: .ranks)
        mlmProbability = try c.decodeIfPresent(Double.self, forKey: .mlmProbability)
    }
}

/// attach-adapters: the training keys plus LoRA's, decoded from the one mapping of the stage. Training
/// keys read through (`params.learningRate`).
@dynamicMemberLookup
public struct AdapterParams: Sendable, Hashable, Decodable {
    public var training: TrainingParams
    public var adapter: String
    public var loraR: Int
    /// Always set: the recipe's, else `KeyTables.derivedLoraAlpha` (2 × `loraR`) filled in by the loader.
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

    enum CodingKeys: String, CodingKey {
        case adapter, loraR = "lora_r", loraAlpha = "lora_alpha", loraDropout = "lora_dropout"
        case loraTargetModules = "lora_target_modules", loraTargetLinear = "lora_target_linear"
        case peftUseRslora = "peft_use_rslora", peftLayersToTransform = "peft_layers_to_transform"
        case loraModulesToSave = "lora_modules_to_save", loraModelDir = "lora_model_dir", mergeLora = "merge_lora"
    }

    public init(from decoder: any Decoder) throws {
        training = try TrainingParams(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        adapter = try c.decode(String.self, forKey: .adapter)
        loraR = try c.decode(Int.self, forKey: .loraR)
        loraAlpha = try c.decode(Double.self, forKey: .loraAlpha)
        loraDropout = try c.decode(Double.self, forKey: .loraDropout)
        loraTargetModules = try c.decode([String].self, forKey: .loraTargetModules)
        loraTargetLinear = try c.decode(Bool.self, forKey: .loraTargetLinear)
        peftUseRslora = try c.decode(Bool.self, forKey: .peftUseRslora)
        peftLayersToTransform = try c.decodeIfPresent([Int].self, forKey: .peftLayersToTransform)
        loraModulesToSave = try c.decodeIfPresent([String].self, forKey: .loraModulesToSave) ?? []
        loraModelDir = try c.decodeIfPresent(String.self, forKey: .loraModelDir)
        mergeLora = try c.decode(Bool.self, forKey: .mergeLora)
    }

    public subscript<T>(dynamicMember keyPath: KeyPath<TrainingParams, T>) -> T { training[keyPath: keyPath] }
}

/// classify: the training keys and the label set.
@dynamicMemberLookup
public struct ClassifyParams: Sendable, Hashable, Decodable {
    public var training: TrainingParams
    /// Class names in id order; nil = inferred from the training data (sorted).
    public var labels: [String]?
    /// `adapter: lora`: LoRA on the frozen model, the head trained in full; nil = every weight trains.
    public var lora: ClassifyLoRAParams? = nil

    enum CodingKeys: String, CodingKey { case labels, adapter }

    public init(from decoder: any Decoder) throws {
        training = try TrainingParams(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        labels = try c.decodeIfPresent([String].self, forKey: .labels)
        // `adapter: lora` (the only value the tables accept) brings the LoRA keys, defaults filled by the loader
        if try c.decodeIfPresent(String.self, forKey: .adapter) != nil { lora = try ClassifyLoRAParams(from: decoder) }
    }

    public subscript<T>(dynamicMember keyPath: KeyPath<TrainingParams, T>) -> T { training[keyPath: keyPath] }
}

/// A LoRA classify stage's adapter keys (`adapter: lora`), defaults filled by the loader.
public struct ClassifyLoRAParams: Sendable, Hashable, Decodable {
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

extension ClassifyLoRAParams {
    enum CodingKeys: String, CodingKey {
        case loraR = "lora_r", loraAlpha = "lora_alpha", loraDropout = "lora_dropout", loraTargetModules = "lora_target_modules"
        case loraTargetLinear = "lora_target_linear", peftUseRslora = "peft_use_rslora"
        case peftLayersToTransform = "peft_layers_to_transform", loraModulesToSave = "lora_modules_to_save", mergeLora = "merge_lora"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        loraR = try c.decode(Int.self, forKey: .loraR)
        loraAlpha = try c.decode(Double.self, forKey: .loraAlpha)
        loraDropout = try c.decode(Double.self, forKey: .loraDropout)
        loraTargetModules = try c.decodeIfPresent([String].self, forKey: .loraTargetModules)
        loraTargetLinear = try c.decode(Bool.self, forKey: .loraTargetLinear)
        peftUseRslora = try c.decode(Bool.self, forKey: .peftUseRslora)
        peftLayersToTransform = try c.decodeIfPresent([Int].self, forKey: .peftLayersToTransform)
        loraModulesToSave = try c.decodeIfPresent([String].self, forKey: .loraModulesToSave) ?? []  // no table default: none besides the head
        mergeLora = try c.decode(Bool.self, forKey: .mergeLora)
    }
}

/// A metric an evaluate stage computes per (model, data set); see the `evaluate` stage for definitions.
public enum EvalMetric: String, Sendable, Hashable, Codable, CaseIterable {
    case loss, perplexity, exactMatch = "exact_match", tokenF1 = "token_f1", accuracy, macroF1 = "macro_f1", forgetting
}

public enum EvalRole: String, Sendable, Hashable, Codable, CaseIterable {
    case inDomain = "in_domain", forgetting
}

/// One entry of an evaluate stage's `test_datasets:`: a data source plus how it is scored.
public struct EvalDatasetSpec: Sendable, Hashable, Decodable {
    /// The data source part of the entry (path, type, fields, split), as training stages read it.
    public var source: DatasetSpec
    public var role: EvalRole
    /// nil = the stage's `evalMetrics`.
    public var metrics: [EvalMetric]?
    public var choices: String?
    public var name: String?

    public var path: String { source.path }
    public var type: DatasetType { source.type }
    public var field: String? { source.field }
    public var splitDocuments: DocumentSplit { source.splitDocuments }
    public var fields: FieldMapping { source.fields }
    public var textField: String { source.textField }
    public var labelField: String { source.labelField }
    public var textPairField: String? { source.textPairField }
    public var columns: [String]? { source.columns }

    enum CodingKeys: String, CodingKey { case role, metrics, choices, name }

    public init(from decoder: any Decoder) throws {
        source = try DatasetSpec(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(EvalRole.self, forKey: .role)
        metrics = try c.decodeIfPresent([EvalMetric].self, forKey: .metrics)
        choices = try c.decodeIfPresent(String.self, forKey: .choices)
        name = try c.decodeIfPresent(String.self, forKey: .name)
    }

    /// The entry's key in metrics.json and the lock file: `name`, else the path.
    public var label: String { name ?? path }
}

/// `samples:` of an evaluate stage.
public struct SamplesSpec: Sendable, Hashable, Decodable {
    public var prompts: [String]
    public var n: Int
    /// `system:`: the system message before every prompt (chat templates only).
    public var system: String?
}

public struct EvaluateParams: Sendable, Hashable, Decodable {
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
    public var deterministic: Bool
    /// `chat_template`: when set, prompts, samples and conversations are rendered with it.
    public var chatTemplate: String?

    enum CodingKeys: String, CodingKey {
        case models, testDatasets = "test_datasets", evalMetrics = "eval_metrics", evalBatchSize = "eval_batch_size"
        case evalSequenceLen = "eval_sequence_len", generationMaxNewTokens = "generation_max_new_tokens"
        case generationTemperature = "generation_temperature", samples, maxSamples = "max_samples", seed, threads
        case deterministic, chatTemplate = "chat_template"
    }
}
