/// The key tables: one per stage kind plus the nested mappings. Single source of truth for validation,
/// `defaults:` merging, alias normalisation, `RecipeSchema` and the generated docs.
///
/// Key names follow Axolotl; aliases are the spellings of torchtune, LLaMA-Factory, mlx-lm and PEFT
/// (reference/recipes.md §3).
enum KeyTables {
    static let datasetTypes = ["completion", "alpaca", "dolly", "input_output", "tokenized", "chat", "sharegpt", "classification"]
    static let chatTemplates = ["tokenizer", "chatml", "llama3", "mistral", "gemma", "phi3", "alpaca"]
    static let evalMetrics = ["loss", "perplexity", "exact_match", "token_f1", "accuracy", "macro_f1", "forgetting"]

    private static let datasetKeys: [KeySpec] = [
        KeySpec.key("path", .path(.dataset),
              "Data file (.txt, .jsonl or .json; classification also .csv and .tsv), relative to the recipe file; must stay inside the project.",
              required: true),
        KeySpec.key("type", .enumeration(datasetTypes),
              "Record format: completion = raw text; alpaca = {instruction, input, output}; dolly = {instruction, "
                  + "context, response}; input_output = {input, output}; tokenized = token-id shard; chat = "
                  + "{messages: [{role, content}]} (system/user/assistant); sharegpt = {conversations: [{from, value}]} "
                  + "(system/human/gpt); classification = labelled texts (JSON/JSONL records, CSV with RFC 4180 quotes, "
                  + "or TSV/.txt tab-separated without quoting).",
              default: .string("completion")),
        KeySpec.key("field", .string, "JSON field that holds the text of a completion record in .jsonl/.json (default: text)."),
        KeySpec.key("field_messages", .string, "Field holding a conversation's message list (default: messages; sharegpt: conversations)."),
        KeySpec.key("message_field_role", .string, "Field of a message holding its role (default: role; sharegpt: from)."),
        KeySpec.key("message_field_content", .string, "Field of a message holding its text (default: content; sharegpt: value)."),
        KeySpec.key("field_instruction", .string, "Field holding an alpaca/dolly record's instruction (default: instruction)."),
        KeySpec.key("field_input", .string, "Field holding an alpaca/dolly record's optional input (default: input; dolly: context)."),
        KeySpec.key("field_output", .string, "Field holding an alpaca/dolly record's output (default: output; dolly: response)."),
        // no `default:` for these two: a filled default would enter the key of every existing stage's datasets
        KeySpec.key("text_field", .string, "classification: field or column holding the text (default: text)."),
        KeySpec.key("label_field", .string, "classification: field or column holding the label (default: label)."),
        KeySpec.key("text_pair_field", .string, "classification: field or column holding a second text (sentence pairs)."),
        KeySpec.key("columns", .list(.string),
              "classification CSV/TSV without a header row: the column names in order, e.g. [text, label] "
                  + "(default: the first row is the header)."),
        KeySpec.key("split_documents", .enumeration(["line", "blank_line", "none"]),
              "How a .txt file splits into documents: one per line, one per blank-line-separated block, or the whole file.",
              default: .string("line")),
    ]

    /// One entry of `datasets:`, `test_datasets:` (training) and `replay.datasets:`.
    static let dataset = ObjectSpec(name: "dataset", description: "A data source read by a stage.", keys: datasetKeys)

    /// One entry of an evaluate stage's `test_datasets:`.
    static let evalDataset = ObjectSpec(
        name: "evalDataset", description: "A held-out data set an evaluate stage scores every model on.",
        keys: datasetKeys + [
            KeySpec.key("role", .enumeration(["in_domain", "forgetting"]),
                  "in_domain measures the target task; forgetting measures general text the models should not lose.",
                  default: .string("in_domain")),
            KeySpec.key("metrics", .list(.enumeration(evalMetrics)),
                  "Metrics for this data set; overrides the stage's eval_metrics. accuracy: the greedy answer's first "
                      + "line or word equals the output label, or, with `choices`, the most likely choice is the output, or, on "
                      + "classification data, the classifier's most probable label is the record's (shown with the majority-class "
                      + "baseline, per-class precision/recall and the confusion matrix); macro_f1: classification only; "
                      + "forgetting: perplexity ratio and difference against the first model listed."),
            KeySpec.key("choices", .string,
                  "JSON field listing the answer options of a multiple-choice record; accuracy then scores each option "
                      + "by summed log-likelihood."),
            KeySpec.key("name", .string, "Label of this data set in the report (default: the file name)."),
        ])

    /// `model:` of a training stage that starts `from: scratch`: HF `config.json` fields, GPT-2's spelling
    /// first with the Llama-family spelling as an alias. Keys without a default here take one that
    /// depends on the others (said in their description), and GPT-2 takes none of the Llama-only keys.
    static let model = ObjectSpec(
        name: "model", description: "Architecture of a model trained from scratch (HF config.json fields).",
        keys: [
            KeySpec.key("architecture", .enumeration(["gpt2", "llama", "qwen2", "mistral", "bert"]),
                  "Block family (HF model_type): gpt2 (learned positions, LayerNorm, GELU), a Llama-family decoder "
                      + "(rotary positions, RMSNorm, SwiGLU, grouped-query attention; qwen2 adds q/k/v biases), or bert "
                      + "(a post-norm bidirectional encoder with erf GELU, for classify and masked-LM pretrain-continue / "
                      + "domain-adapt; its tokenizer must be WordPiece). Default: gpt2.",
                  aliases: [KeyAlias(name: "model_type", source: "transformers")]),
            KeySpec.key("vocab_size", .integer, "Vocabulary size in tokens (default: the tokenizer's size).", range: .limit(1, ModelLimits.vocabSize)),
            KeySpec.key("n_positions", .integer, "Context length in tokens (GPT-2: rows of the learned position table).",
                  default: .int(1024), range: .limit(1, ModelLimits.positions),
                  aliases: [KeyAlias(name: "max_position_embeddings", source: "transformers")]),
            KeySpec.key("n_embd", .integer, "Embedding width in channels; for GPT-2 a multiple of n_head.", default: .int(768),
                  range: .limit(1, ModelLimits.embedding), aliases: [KeyAlias(name: "hidden_size", source: "transformers")]),
            KeySpec.key("n_layer", .integer, "Number of transformer blocks.", default: .int(12), range: .limit(1, ModelLimits.layers),
                  aliases: [KeyAlias(name: "num_hidden_layers", source: "transformers")]),
            KeySpec.key("n_head", .integer, "Attention (query) heads per block.", default: .int(12), range: .limit(1, ModelLimits.heads),
                  aliases: [KeyAlias(name: "num_attention_heads", source: "transformers")]),
            KeySpec.key("num_key_value_heads", .integer, "Key/value heads (grouped-query attention); must divide n_head. "
                      + "Llama family only; default: n_head.", range: .limit(1, ModelLimits.heads)),
            KeySpec.key("head_dim", .integer, "Width of one attention head (Llama family; default: n_embd / n_head).",
                  range: .limit(1, ModelLimits.embedding)),
            KeySpec.key("intermediate_size", .integer, "MLP hidden width (default: 4 x n_embd).", range: .limit(1, 8 * ModelLimits.embedding),
                  aliases: [KeyAlias(name: "n_inner", source: "transformers")]),
            KeySpec.key("rope_theta", .number, "Rotary base (Llama family; default: 10000).", range: .greaterThan(0)),
            KeySpec.key("type_vocab_size", .integer, "Token type (segment) rows for text pairs (BERT only; default: 2).",
                  range: .limit(1, 64)),
            KeySpec.key("tie_word_embeddings", .boolean, "The LM head shares the token embedding (Llama family; default: true; "
                      + "GPT-2 always ties)."),
            KeySpec.key("layer_norm_epsilon", .number, "Norm epsilon (LayerNorm for GPT-2, RMSNorm for the Llama family).",
                  default: .number(1e-5), range: .greaterThan(0), aliases: [KeyAlias(name: "rms_norm_eps", source: "transformers")]),
            KeySpec.key("initializer_range", .number, "Standard deviation of the initial weights.",
                  default: .number(0.02), range: .greaterThan(0)),
        ])

    /// `replay:` of a domain-adapt stage: general data mixed in against forgetting.
    static let replay = ObjectSpec(
        name: "replay", description: "General data replayed during domain adaptation (full or LoRA) to limit forgetting.",
        keys: [
            KeySpec.key("datasets", .list(.object(dataset)), "General-domain sources to replay.", required: true),
            KeySpec.key("ratio", .number, "Share of every optimizer step's loss carried by replay rows (0 to <1); "
                  + "round(rows per step x ratio) rows, at least 1, come from the replay data.",
                  range: .unitOpenTop, required: true),
        ])

    /// `samples:` of an evaluate stage.
    static let samples = ObjectSpec(
        name: "samples", description: "Prompts to generate from with every evaluated model, for the report.",
        keys: [
            KeySpec.key("prompts", .list(.string), "Prompt texts.", required: true),
            KeySpec.key("n", .integer, "Samples per prompt and model.", default: .int(1), range: .atLeast(1)),
            KeySpec.key("system", .string, "System message sent before every prompt; needs the stage's chat_template "
                      + "(without it the template's own default applies, e.g. SmolLM2's \"You are a helpful AI assistant\")."),
        ])

    private static let common: [KeySpec] = [
        KeySpec.key("seed", .integer, "Random seed of this stage (default: the recipe's seed).", range: .atLeast(0)),
        KeySpec.key("threads", .integer, "CPU threads to use (default: $LATHE_THREADS, else every core); not part of the cache key (except with `deterministic: true`). Results are bitwise reproducible for a given thread count and may differ in the last bits between counts.", range: .atLeast(1)),
        KeySpec.key("max_samples", .integer, "Use at most this many records per data set (for quick runs).", range: .atLeast(1)),
        KeySpec.key("deterministic", .boolean, "The same result bits on every x86-64 CPU with AVX2 and FMA: the run uses OpenBLAS's "
              + "Haswell kernels even where faster AVX-512 ones exist (slower training there: BENCHMARKS.md, \"Same bits on every CPU\"). "
              + "Full fine-tuning then splits each step across a fixed 2 data-parallel workers (`threads` when set), "
              + "whatever the machine's core count.",
              default: .bool(false)),
    ]

    static let tokenize: [KeySpec] = [
        KeySpec.key("datasets", .list(.object(dataset)), "Text to learn the BPE merges from.",
              aliases: [.lf("dataset"), .mlx("data")], required: true),
        KeySpec.key("vocab_size", .integer, "Vocabulary size in tokens: 256 byte tokens + merges + special tokens.",
              default: .int(8192), range: .limit(257, ModelLimits.vocabSize)),
        KeySpec.key("min_frequency", .integer, "A pair must occur at least this many times to become a merge.",
              default: .int(2), range: .atLeast(1)),
        KeySpec.key("special_tokens", .list(.string), "Special tokens appended after the merges. End of text is the first of "
                  + "<|endoftext|>, </s>, <|end_of_text|>, <|im_end|> in the list, else its first entry.",
              default: .list([.string("<|endoftext|>")])),
        KeySpec.key("from", .reference(.tokenizerSource),
              "Reuse the tokenizer.json of this stage or HF directory instead of training a new one "
                  + "(then vocab_size, min_frequency and special_tokens are refused: they would have no effect)."),
    ] + common.filter { $0.name != "seed" && $0.name != "deterministic" }

    private static let training: [KeySpec] = [
        KeySpec.key("from", .reference(.model),
              "Start model: 'scratch' (not in attach-adapters), an earlier stage, an HF model directory (GPT-2 or Llama family) or a .gguf file (a path contains '/' or starts with '.').",
              required: true),
        KeySpec.key("tokenizer", .reference(.tokenizer),
              "A tokenize stage or a directory holding tokenizer.json; required with from: scratch."),
        KeySpec.key("model", .object(model), "Architecture, only with from: scratch."),
        KeySpec.key("datasets", .list(.object(dataset)), "Training sources.",
              aliases: [.lf("dataset"), .mlx("data")], required: true),
        KeySpec.key("test_datasets", .list(.object(dataset)), "Explicit validation sets; excludes val_set_size.",
              aliases: [.lf("eval_dataset"), .tt("dataset_val")]),
        KeySpec.key("val_set_size", .number, "Held-out validation share of each training dataset: a fraction (<1), or a record count (>=1) held out from every dataset listed; 0 = none.",
              default: .number(0), range: .atLeast(0), aliases: [.lf("val_size")]),
        KeySpec.key("sequence_len", .integer, "Tokens per training sequence; at most the model's n_positions (default: n_positions).",
              range: .limit(1, ModelLimits.positions), aliases: [.lf("cutoff_len"), .tt("max_seq_len"), .mlx("max_seq_length")]),
        KeySpec.key("sample_packing", .boolean, "true: place whole records greedily into shared rows of sequence_len tokens, never attending across records. "
                  + "false (Axolotl's default): every instruction or chat record is its own right-padded row (after `truncation`), "
                  + "pads masked from the loss; completion text and token shards are one stream cut into rows (as HF run_clm), "
                  + "with no attention or loss across documents.",
              default: .bool(false), aliases: [.lf("packing"), .tt("packed")]),
        KeySpec.key("train_on_inputs", .boolean, "Also train on prompt tokens (false: loss on the response only).",
              default: .bool(false), aliases: [.tt("train_on_input"), .lf("train_on_prompt")]),
        KeySpec.key("train_on_eos", .boolean, "Train on the end-of-sequence token after each response.", default: .bool(true)),
        chatTemplateKey,
        KeySpec.key("train_on", .enumeration(["assistant", "last_assistant", "all"]),
              "Which tokens of a chat-templated conversation carry loss: every assistant turn with its end-of-turn "
                  + "token, only the last one, or all tokens.",
              default: .string("assistant")),
        KeySpec.key("truncation", .enumeration(["drop", "truncate", "split"]),
              "An instruction or chat record longer than sequence_len: drop it; truncate it (keep the prompt's start and as "
                  + "much response as fits; dropped when no trained token fits); or split it into windows. Counted per "
                  + "dataset. Completion text and token shards are always cut into windows.",
              default: .string("drop")),
        KeySpec.key("max_steps", .integer, "Optimizer steps to run; wins over num_epochs.", range: .limit(1, TrainingLimits.steps),
              aliases: [.mlx("iters")]),
        KeySpec.key("num_epochs", .number, "Passes over the training data (fractions allowed) when max_steps is not set; replay rows do not count toward an epoch.",
              default: .number(1), range: .greaterThan(0), aliases: [.lf("num_train_epochs"), .tt("epochs")]),
        KeySpec.key("micro_batch_size", .integer, "Sequences per forward/backward pass.", default: .int(1),
              range: .limit(1, TrainingLimits.batch),
              aliases: [.lf("per_device_train_batch_size"), KeyAlias(name: "batch_size", source: "torchtune/mlx-lm")]),
        KeySpec.key("gradient_accumulation_steps", .integer, "Micro-batches per optimizer step.", default: .int(1),
              range: .limit(1, TrainingLimits.batch), aliases: [.mlx("grad_accumulation_steps")]),
        KeySpec.key("learning_rate", .number, "Peak learning rate (per step, after warmup).", default: .number(3e-4),
              range: NumericRange(min: 0, minExclusive: true, max: TrainingLimits.learningRate), aliases: [.tt("lr")]),
        KeySpec.key("lr_scheduler", .enumeration(["cosine", "linear", "constant", "constant_with_warmup"]),
              "Learning-rate schedule (HF's): cosine and linear decay to the end after warmup; constant_with_warmup holds the peak after warmup; constant holds it from step 0.", default: .string("cosine"), aliases: [.lf("lr_scheduler_type")]),
        KeySpec.key("warmup_steps", .integer, "Linear warmup length in optimizer steps; excludes warmup_ratio. Refused with lr_scheduler constant (no warm-up in HF's constant schedule).",
              range: .atLeast(0), aliases: [.tt("num_warmup_steps")]),
        KeySpec.key("warmup_ratio", .number, "Linear warmup length as a fraction of all steps, rounded up (as HF); excludes warmup_steps.",
              range: .unit),
        KeySpec.key("cosine_min_lr_ratio", .number, "Final learning rate of the cosine schedule as a fraction of the peak (cosine only; refused with other schedules).",
              default: .number(0), range: .unit),
        KeySpec.key("optimizer", .enumeration(["adamw"]), "Optimizer: AdamW with decoupled weight decay, the one the engine implements.",
              default: .string("adamw")),
        KeySpec.key("weight_decay", .number, "Decoupled weight decay, applied to 2-D weights only.", default: .number(0),
              range: .atLeast(0)),
        KeySpec.key("adam_beta1", .number, "AdamW first-moment decay.", default: .number(0.9), range: .unitOpenTop),
        KeySpec.key("adam_beta2", .number, "AdamW second-moment decay.", default: .number(0.999), range: .unitOpenTop),
        KeySpec.key("adam_epsilon", .number, "AdamW denominator epsilon.", default: .number(1e-8), range: .greaterThan(0)),
        KeySpec.key("max_grad_norm", .number, "Clip the global gradient L2 norm to this value; 0 = no clipping.",
              default: .number(1), range: .atLeast(0), aliases: [.tt("clip_grad_norm")]),
        KeySpec.key("eval_steps", .integer, "Validate every this many optimizer steps (default: max_steps / 4, so four times a run) and after the last step; needs val_set_size or test_datasets.",
              range: .atLeast(1), aliases: [.mlx("steps_per_eval"), .tt("run_val_every_n_steps")]),
        KeySpec.key("save_steps", .integer, "Write a resumable checkpoint every this many optimizer steps.",
              range: .atLeast(1), aliases: [.mlx("save_every")]),
        KeySpec.key("logging_steps", .integer, "Record training metrics every this many optimizer steps.", default: .int(10),
              range: .atLeast(1), aliases: [.mlx("steps_per_report"), .tt("log_every_n_steps")]),
        KeySpec.key("early_stopping_patience", .integer, "Stop after this many validations in a row without a new best validation loss; the published weights are the last step's, not the best one's (HF Trainer without load_best_model_at_end). Needs val_set_size or test_datasets.",
              range: .atLeast(1)),
        KeySpec.key("freeze_trainable_layers", .integer,
              "Train only the last N blocks (N > 0) or the first -N blocks (N < 0); embeddings stay frozen."),
        KeySpec.key("unfrozen_parameters", .list(.string),
              "Regular expressions searched in HF parameter names (Python re.search; anchor with ^ or $); only matching parameters train. A pattern that matches no parameter is an error."),
        KeySpec.key("ranks", .integer, "Open MPI ranks that train this stage under executor slurm: the job gets sbatch --ntasks ranks "
                  + "and runs mpirun -np ranks (docs/cluster.md). Not part of the cache key (the result equals one process's "
                  + "up to float rounding). A local run ignores it: start `mpirun -np N lathe run` instead.",
              default: .int(1), range: .limit(1, Double(SlurmLimits.ranks))),
    ] + common

    private static let adapterOnly: [KeySpec] = [
        KeySpec.key("adapter", .enumeration(["lora"]), "Adapter type.", default: .string("lora"),
              aliases: [.lf("finetuning_type"), .mlx("fine_tune_type")]),
        KeySpec.key("lora_r", .integer, "LoRA rank.", default: .int(8), range: .atLeast(1),
              aliases: [.peft("r"), KeyAlias(name: "lora_rank", source: "LLaMA-Factory/torchtune")]),
        KeySpec.key("lora_alpha", .number, "LoRA scaling numerator: scale = lora_alpha / lora_r (default: 2 x lora_r).",
              range: .greaterThan(0)),
        KeySpec.key("lora_dropout", .number, "Dropout probability on the LoRA input.", default: .number(0),
              range: .unitOpenTop),
        KeySpec.key("lora_target_modules", .list(.string), "Module name suffixes that get LoRA (PEFT semantics), e.g. c_attn.",
              default: .list([.string("c_attn")]), aliases: [.peft("target_modules"), .lf("lora_target")]),
        KeySpec.key("lora_target_linear", .boolean, "Put LoRA on every linear layer except the LM head.", default: .bool(false)),
        KeySpec.key("peft_use_rslora", .boolean, "Rank-stabilised scaling: scale = lora_alpha / sqrt(lora_r).",
              default: .bool(false), aliases: [.peft("use_rslora")]),
        KeySpec.key("peft_layers_to_transform", .list(.integer), "Only these block indices (from 0) get LoRA.",
              aliases: [.peft("layers_to_transform")]),
        KeySpec.key("lora_modules_to_save", .list(.string), "Extra modules trained in full and saved with the adapter.",
              aliases: [.peft("modules_to_save"), .lf("additional_target")]),
        KeySpec.key("lora_model_dir", .path(.directory(noun: "adapter directory")),
              "Existing PEFT adapter directory to continue training.", aliases: [.lf("adapter_name_or_path")]),
        KeySpec.key("merge_lora", .boolean, "Also write the base model with the adapter folded in.", default: .bool(false),
              aliases: [KeyAlias(name: "merge", source: "shorthand")]),
    ]

    /// `mlm_probability` when a stage on a BERT encoder leaves it out: BERT's and HF `run_mlm`'s 15 %. Not a
    /// filled `default:`, which would enter the key of every decoder stage of these kinds and could not be
    /// refused there; `TrainingParams.maskedLMProbability` reads it.
    static let mlmProbabilityDefault = 0.15

    /// `mlm_probability` of pretrain-continue and domain-adapt (BERT encoders only).
    static let mlmProbabilityKey = KeySpec.key(
        "mlm_probability", .number,
        "Masked-LM training of a BERT encoder: the share of each window's tokens (special tokens never) chosen each step, "
            + "80 % replaced by [MASK], 10 % by a random token, 10 % kept; the loss is on the chosen tokens only. "
            + "Default on an encoder: \(NumericRange.text(mlmProbabilityDefault)). Refused for decoders (causal LM).",
        range: NumericRange(min: 0, minExclusive: true, max: 1, maxExclusive: true))

    /// `chat_template` of training and evaluate stages.
    static let chatTemplateKey = KeySpec.key(
        "chat_template", .enumeration(chatTemplates),
        "Template that renders conversations: tokenizer = the model's own (tokenizer_config.json, chat_template.jinja "
            + "or the GGUF's tokenizer.chat_template), or a named family. Default: tokenizer for chat/sharegpt data; "
            + "alpaca/dolly records use the alpaca prompt unless set.",
        aliases: [.lf("template")])

    /// `classify`: the training keys that apply to one-record rows, the label set, and LoRA (`classifyLoRA`).
    static let classify: [KeySpec] = training.filter { refusedByKind[.classify]![$0.name] == nil } + [
        KeySpec.key("labels", .list(.string),
              "Class names in class-id order (id2label); default: the training labels, sorted (as integers when all are)."),
    ] + classifyLoRA

    /// `classify`'s LoRA keys (issue 17): with `adapter: lora` the trunk is frozen, LoRA adapters and the
    /// classification head train (PEFT's SEQ_CLS task), and the stage publishes a PEFT adapter. They are
    /// attach-adapters' keys without defaults, so a full fine-tuning stage's cache key holds none of them;
    /// with `adapter: lora` the loader fills attach-adapters' defaults (`classifyLoRADefaults`), except
    /// `lora_target_modules`, whose default is PEFT's for the model family.
    static let classifyLoRA: [KeySpec] = adapterOnly.filter { refusedByKind[.classify]![$0.name] == nil }.map { k in
        let description = switch k.name {
        case "adapter": "lora: train LoRA adapters on the frozen model and its classification head in full (PEFT task_type SEQ_CLS; "
            + "the stage publishes a PEFT adapter folder). Absent: every weight trains."
        case "lora_target_modules": "Module name suffixes that get LoRA (PEFT semantics). Default: PEFT's for the model family: "
            + "[query, value] (BERT), [q_proj, v_proj] (Llama family), [c_attn] (GPT-2). Needs adapter: lora."
        default: k.description + (k.defaultValue.map { " Default with adapter: lora: \(shortText($0))." } ?? "") + " Needs adapter: lora."
        }
        return KeySpec(name: k.name, type: k.type, description: description, defaultValue: nil, range: k.range, aliases: k.aliases)
    }

    /// A scalar default as a description writes it (`8`, `0`, `false`).
    private static func shortText(_ value: CheckedValue) -> String {
        switch value {
        case .int(let n): "\(n)"
        case .number(let x): x == x.rounded() && abs(x) < 1e15 ? "\(Int(x))" : "\(x)"
        case .bool(let b): "\(b)"
        case .string(let t): t
        case .list, .ref, .object: "see attach-adapters"
        }
    }

    /// What an absent LoRA key of a classify stage with `adapter: lora` becomes: attach-adapters' default.
    static let classifyLoRADefaults: [String: CheckedValue] = Dictionary(uniqueKeysWithValues: adapterOnly.compactMap { k in
        guard let value = k.defaultValue, k.name != "lora_target_modules", k.name != "adapter",
              classifyLoRA.contains(where: { $0.name == k.name }) else { return nil }
        return (k.name, value)
    })

    static let evaluate: [KeySpec] = [
        KeySpec.key("models", .list(.reference(.evaluatedModel)), "Stages or HF model directories to evaluate, in report order.",
              required: true),
        KeySpec.key("test_datasets", .list(.object(evalDataset)), "Data sets every model is scored on.",
              aliases: [.lf("eval_dataset"), .tt("dataset_val")], required: true),
        KeySpec.key("eval_metrics", .list(.enumeration(evalMetrics)),
              "Metrics for data sets that do not list their own (default by type: completion → perplexity; "
                  + "instruction → loss, exact_match, token_f1; classification → accuracy, macro_f1; role forgetting → "
                  + "perplexity, forgetting)."),
        KeySpec.key("eval_batch_size", .integer, "Sequences per evaluation forward pass.", default: .int(8), range: .atLeast(1)),
        KeySpec.key("eval_sequence_len", .integer, "Tokens per evaluation sequence (default: the model's context length, at most 1,024).",
              range: .atLeast(1)),
        KeySpec.key("generation_max_new_tokens", .integer, "Most tokens generated per answer or sample.", default: .int(64),
              range: .atLeast(1)),
        KeySpec.key("generation_temperature", .number, "Sampling temperature of `samples:`; 0 = greedy. Answers scored by exact_match, token_f1 and accuracy are always greedy, so metrics do not depend on it.", default: .number(0),
              range: .atLeast(0)),
        KeySpec.key("samples", .object(samples), "Prompts to sample from every model for the report."),
        chatTemplateKey,
    ] + common

    /// Keys no stage accepts, with the reason and the fix: spellings users bring from PEFT or Axolotl
    /// whose effect Lathe decides itself, so accepting them would mean ignoring them (issue 22).
    static let refusedKeys: [String: String] = [
        "lora_fan_in_fan_out": "Lathe sets PEFT's fan_in_fan_out from the model's weight layout (GPT-2's Conv1D: true; "
            + "Llama-family nn.Linear: false) and writes it to adapter_config.json. Remove it.",
        "fan_in_fan_out": "Lathe sets PEFT's fan_in_fan_out from the model's weight layout (GPT-2's Conv1D: true; "
            + "Llama-family nn.Linear: false) and writes it to adapter_config.json. Remove it.",
    ]

    /// Keys of the training kinds that one kind refuses, with the reason and the fix.
    static let refusedByKind: [StageKind: [String: String]] = [
        .tokenize: ["seed": "the BPE trainer draws no random numbers: the same data always gives the same merges. Remove it."],
        .classify: [
            "sample_packing": "a classify stage lays out one right-padded text per row; there is nothing to pack. Remove it.",
            "train_on_inputs": "a classifier's only target is the label at the pooled token. Remove it.",
            "train_on_eos": "a classifier's only target is the label at the pooled token. Remove it.",
            "chat_template": "classification texts are tokenized as they are, without a prompt template. Remove it.",
            "train_on": "a classifier's only target is the label at the pooled token. Remove it.",
            "truncation": "a classification text longer than sequence_len is always truncated to it (counted in the "
                + "stage log); texts are never dropped or split. Remove it, or raise sequence_len.",
            "lora_model_dir": "a classify stage with adapter: lora starts a new adapter and head on its `from:` model; "
                + "continuing an existing adapter is an attach-adapters feature. Remove it.",
        ],
        .attachAdapters: [
            "freeze_trainable_layers": "a LoRA stage trains only its adapters and lora_modules_to_save; the base stays frozen. "
                + "Use lora_modules_to_save or peft_layers_to_transform, or a domain-adapt stage to train base blocks.",
            "unfrozen_parameters": "a LoRA stage trains only its adapters and lora_modules_to_save; the base stays frozen. "
                + "Name whole modules in lora_modules_to_save, or use a domain-adapt stage to train base parameters.",
            "model": "a LoRA stage adapts an existing model; 'model:' describes one trained from scratch. "
                + "Train it in a pretrain-continue stage first and name that stage in 'from:'.",
        ],
    ]

    /// Why `key` is refused in a stage of `kind` (nil: it is not a refused key there).
    static func refusal(of key: String, kind: StageKind?) -> String? {
        refusedKeys[key] ?? kind.flatMap { refusedByKind[$0]?[key] }
    }

    /// Keys of a stage of `kind`, excluding `kind` itself.
    static func keys(for kind: StageKind) -> ObjectSpec { byKind[kind]! }

    private static let byKind: [StageKind: ObjectSpec] = {
        var table: [StageKind: ObjectSpec] = [:]
        for kind in StageKind.allCases {
            let keys: [KeySpec] = switch kind {
            case .tokenize: tokenize
            case .pretrainContinue: training + [mlmProbabilityKey]
            case .instruct: training
            case .domainAdapt: training + [mlmProbabilityKey, KeySpec.key("replay", .object(replay),
                                                                     "Replay general data against forgetting.")]
            case .attachAdapters: training.filter { refusedByKind[.attachAdapters]![$0.name] == nil } + adapterOnly + [KeySpec.key("replay", .object(replay),
                                                                  "Replay general data against forgetting (LoRA domain adaptation).")]
            case .evaluate: evaluate
            case .classify: classify
            }
            table[kind] = ObjectSpec(name: kind.rawValue, description: String(kind.aStage.prefix(1).uppercased() + kind.aStage.dropFirst()) + ".", keys: keys)
        }
        return table
    }()

    /// Every key or alias accepted by some kind → the kinds that accept it (in declaration order).
    static let kindsByKey: [String: [StageKind]] = {
        var table: [String: [StageKind]] = [:]
        for kind in StageKind.allCases {
            for name in keys(for: kind).lookup.keys.sorted() { table[name, default: []].append(kind) }
        }
        return table
    }()

    /// Canonical key names of all kinds, sorted: the did-you-mean candidates for `defaults:`.
    static let allCanonicalKeys: [String] = Array(Set(StageKind.allCases.flatMap { keys(for: $0).keys.map(\.name) })).sorted()

    /// Pairs of keys that may not both be set (Axolotl's rules).
    static let exclusive: [(String, String)] = [("warmup_steps", "warmup_ratio"), ("val_set_size", "test_datasets")]

    static let topLevelKeys = ["name", "seed", "defaults", "stages"] + runKeys.map(\.name)

    /// `slurm:` of a recipe or a config file: the sbatch options of every stage job.
    static let slurm = ObjectSpec(
        name: "slurm", description: "sbatch options of every stage job under executor slurm.",
        keys: [
            KeySpec.key("partition", .string, "Slurm partition (sbatch --partition; default: the cluster's default)."),
            KeySpec.key("account", .string, "Slurm account charged (sbatch --account)."),
            KeySpec.key("time", .string, "Time limit of each stage job in sbatch's format: MINUTES, MINUTES:SECONDS, HOURS:MINUTES:SECONDS, "
                  + "DAYS-HOURS, DAYS-HOURS:MINUTES or DAYS-HOURS:MINUTES:SECONDS (sbatch --time)."),
            KeySpec.key("mem", .integer, "Memory of every stage job in MiB (sbatch --mem), instead of each stage's estimate.",
                  range: .limit(1, Double(SlurmLimits.memoryMiB))),
            KeySpec.key("mem_margin", .number, "Headroom over a stage's memory estimate: --mem = estimate × (1 + mem_margin) + \(SlurmLimits.processOverheadMiB) MiB for "
                      + "the process itself, rounded up to MiB. The estimate covers training (weights, gradients, AdamW moments, "
                      + "activations) and evaluation (weights, one layer's activations, logits).",
                  default: .number(0.25), range: .limit(0, 10)),
            KeySpec.key("mem_fallback", .integer, "Memory in MiB of a stage with no estimate (tokenize; a model whose config.json is "
                      + "not readable before the run).",
                  default: .int(2048), range: .limit(1, Double(SlurmLimits.memoryMiB))),
            KeySpec.key("extra_args", .list(.string), "Further sbatch options, one argument each, e.g. ['--qos=high', '--gres=gpu:1']. "
                      + "Options Lathe sets itself (--mem, --ntasks, --cpus-per-task, --output, --chdir, --job-name, --parsable, "
                      + "--partition, --account, --time) are refused: use the keys above."),
        ])

    /// Where and how stages run, in a recipe's top level or a config file (`RunSettings`). None of them
    /// enters a stage key: where a stage runs is not what it computes.
    static let runKeys: [KeySpec] = [
        KeySpec.key("remote", .string, "Remote cache base URL (Bazel's HTTP cache protocol), e.g. http://cache.example:8080/lathe. "
                  + "Credentials never go here: set LATHE_REMOTE_TOKEN, or LATHE_REMOTE_USER and LATHE_REMOTE_PASSWORD."),
        KeySpec.key("executor", .enumeration(["local", "slurm"]),
              "Where stages run: local (this process) or slurm (one sbatch job per stage against a store on a shared path).",
              default: .string("local")),
        KeySpec.key("slurm", .object(slurm), "sbatch options of the stage jobs under executor slurm."),
    ]

    /// `lora_alpha` when absent: 2 × `lora_r` (the loader fills it in, so it enters the cache key like a
    /// table default). The one place this rule lives; the engine's `LoRAConfig` takes alpha as given.
    static func derivedLoraAlpha(rank: Int) -> Double { Double(2 * rank) }

    /// Top-level run key `name` (nil: not a run key).
    static func runKey(_ name: String) -> KeySpec? { runKeys.first { $0.name == name } }
}
