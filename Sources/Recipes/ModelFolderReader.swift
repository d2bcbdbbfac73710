/// What a model folder's `config.json` says about the model, as far as the loader's preflight needs.
public struct ModelFolderFacts: Sendable, Equatable {
    /// What the folder's `model_type` is to Lathe.
    public enum Architecture: Sendable, Equatable {
        /// A decoder Lathe trains (or a config that names no `model_type`).
        case decoder
        /// An encoder (BERT): it has no language-model head, so only `kind: classify` trains it.
        case encoder
        /// A `model_type` Lathe does not run; `supported` lists the decoder types it does, for the message.
        case unsupported(modelType: String, supported: [String])
    }

    public var architecture: Architecture
    /// `vocab_size`, nil when absent or not an integer.
    public var vocabSize: Int?
    /// The context length in positions (`n_positions`, `n_ctx` or `max_position_embeddings`), nil when absent.
    public var contextLength: Int?

    public init(architecture: Architecture, vocabSize: Int?, contextLength: Int?) {
        self.architecture = architecture
        self.vocabSize = vocabSize
        self.contextLength = contextLength
    }
}

/// Reads the model files a recipe names, for the loader: `config.json` and `tokenizer.json` of folders
/// named by path (the preflight that reports a tokenizer larger than the model's vocabulary, a
/// `sequence_len` beyond its context, an architecture Lathe cannot train) and an adapter folder's
/// `adapter_config.json` (whose base model is an input of the stage, so it is in the stage's key).
///
/// Recipes does not parse model files: the modules that own those formats do (`Stages.ModelFolderPreflight`
/// over Modeling's and Tokenization's readers), and the CLI hands that reader to ``RecipeLoader``.
///
/// Every path is absolute and resolves inside the project root (the loader checks that first). A nil
/// answer means the file is missing, unreadable, not a regular file or not what was expected: the figure
/// stays unknown and the stage reports the file when it runs. Implementations must not block on a FIFO
/// or read without bound.
public protocol ModelFolderReader: Sendable {
    /// What the `config.json` at `path` says, or nil.
    func modelFacts(configFile path: String) -> ModelFolderFacts?
    /// The number of token ids the `tokenizer.json` at `path` defines (its largest id + 1), or nil.
    func tokenizerSize(tokenizerFile path: String) -> Int?
    /// The `base_model_name_or_path` the `adapter_config.json` at `path` names (as written), or nil when
    /// it names none or the file is not an adapter config.
    func adapterBase(adapterConfigFile path: String) -> String?
}
