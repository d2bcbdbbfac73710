import Foundation

extension LoadSession {
    /// Checks every stage: name, kind, keys (with `defaults:` merged), cross-key rules; fills defaults.
    mutating func checkStages(_ node: YNode, defaults: [YEntry], seed: Int) {
        guard let entries = node.entries else {
            let hint = if case .sequence = node.content {
                " Write 'stages: {NAME: {kind: …, …}}': each stage's name is its key."
            } else { " Write e.g. 'stages: {tok: {kind: tokenize, datasets: [{path: data/train.txt}]}}'." }
            checker.sink.error(node.location, "'stages' must be a mapping from stage name to stage, got \(node.gotDescription).\(hint)")
            return
        }
        guard entries.count <= RecipeLoader.maxStages else {
            checker.sink.error(node.location, "the recipe declares \(entries.count) stages; the limit is "
                + "\(RecipeLoader.maxStages). Split it into several recipes.")
            return
        }
        if entries.isEmpty {
            checker.sink.error(node.location, "'stages' is empty. Add at least one stage.")
        }
        for entry in entries {
            if let first = entry.duplicateOf {
                checker.sink.error(entry.keyLocation, "duplicate stage name '\(entry.key)' (first at line \(first.line)). "
                    + "Rename one of the two stages.")
                continue
            }
            if entry.key == "scratch" {
                checker.sink.error(entry.keyLocation, "stage name 'scratch' is reserved for 'from: scratch'. Rename the stage.")
            } else if !Self.matches(Self.stageNamePattern, entry.key) {
                checker.sink.error(entry.keyLocation, "stage name '\(entry.key)' may use only letters, digits, '-' and '_'. "
                    + "Rename the stage.")
            }
            var draft = StageDraft(name: entry.key, location: entry.keyLocation)
            checkStage(entry.value, into: &draft, defaults: defaults, seed: seed)
            draftIndex[draft.name] = drafts.count
            drafts.append(draft)
        }
    }

    private mutating func checkStage(_ node: YNode, into draft: inout StageDraft, defaults: [YEntry], seed: Int) {
        let scope = Scope(owner: "stage '\(draft.name)'")
        guard var entries = node.entries else {
            checker.sink.error(node.location, "stage '\(draft.name)' must be a mapping of keys, got \(node.gotDescription). "
                + "Write '\(draft.name): {kind: …, …}'.")
            return
        }
        guard let kindEntry = entries.first(where: { $0.key == "kind" }) else {
            checker.sink.error(draft.location, "stage '\(draft.name)' needs 'kind'. Valid kinds: \(StageKind.spelledList).")
            return
        }
        guard let text = kindEntry.value.scalarText, let kind = StageKind(rawValue: text) else {
            checker.sink.error(kindEntry.value.location, "unknown kind \(kindEntry.value.gotDescription) in stage "
                + "'\(draft.name)'. Valid kinds: \(StageKind.spelledList)."
                + Suggestions.didYouMean(kindEntry.value.scalarText ?? "", in: StageKind.allCases.map(\.rawValue)))
            return
        }
        draft.kind = kind
        let spec = KeyTables.keys(for: kind)
        entries.append(contentsOf: mergeableDefaults(defaults, into: entries, spec: spec))
        checker.references = []
        checker.inputs = []
        let merged = YNode(content: .mapping(entries), location: node.location)
        guard var checked = checker.checkObject(merged, spec: spec, scope: scope, fill: false, stageKind: kind,
                                                defaultsScope: Scope(owner: "'defaults'")) else { return }
        checkExclusive(checked, stage: draft.name)
        checkCrossKeys(checked, kind: kind, stage: draft.name, at: draft.location)
        checker.fillDefaults(&checked, spec: spec, at: draft.location, scope: scope)
        if kind == .classify { settleClassifyLoRA(&checked, at: draft.location) }
        // the BPE trainer draws no random numbers, so a tokenize stage has no seed (and no rerun when it changes)
        if kind != .tokenize, checked.fields["seed"] == nil { checked.fields["seed"] = Field(value: .int(seed), location: draft.location) }
        if kind == .attachAdapters, checked.fields["lora_alpha"] == nil, !checked.present.contains("lora_alpha"),
           case .int(let rank)? = checked.fields["lora_r"]?.value {
            checked.fields["lora_alpha"] = Field(value: .number(KeyTables.derivedLoraAlpha(rank: rank)), location: draft.location)
        }
        draft.fields = checked.fields
        draft.references = checker.references
        draft.inputs = checker.inputs
    }

    /// `defaults:` entries this kind accepts that the stage does not set itself (nor an exclusive partner of).
    private func mergeableDefaults(_ defaults: [YEntry], into entries: [YEntry], spec: ObjectSpec) -> [YEntry] {
        guard !defaults.isEmpty else { return [] }
        var own = Set(entries.compactMap { spec.lookup[$0.key]?.spec.name })
        for (a, b) in KeyTables.exclusive {
            if own.contains(a) { own.insert(b) }
            if own.contains(b) { own.insert(a) }
        }
        return defaults.filter { entry in
            guard let canonical = spec.lookup[entry.key]?.spec.name else { return false }
            return !own.contains(canonical)
        }
    }

    private mutating func checkExclusive(_ checked: ValueChecker.CheckedObject, stage: String) {
        for (a, b) in KeyTables.exclusive {
            guard let first = checked.fields[a], let second = checked.fields[b] else { continue }
            let later = first.location.order < second.location.order ? second : first
            let owner = first.fromDefaults && second.fromDefaults ? "'defaults'" : "stage '\(stage)'"
            checker.sink.error(later.location, "\(owner) sets both '\(a)' and '\(b)', which exclude each other. Keep one.")
        }
    }

    private mutating func checkCrossKeys(_ checked: ValueChecker.CheckedObject, kind: StageKind, stage: String,
                                         at location: SourceLocation) {
        let fields = checked.fields
        let scope = Scope(owner: "stage '\(stage)'")
        /// A stage key's value, else its table default (the stage's defaults are filled after these checks).
        func current(_ key: String) -> CheckedValue? { fields[key]?.value ?? KeyTables.keys(for: kind).lookup[key]?.spec.defaultValue }
        if kind.isTraining, let from = fields["from"] {
            if kind == .attachAdapters, case .ref(.scratch) = from.value {
                checker.sink.error(from.location, "stage '\(stage)' attaches adapters to a trained model, so it cannot start "
                    + "from scratch. Name a stage or an HF model directory in 'from:', or use a pretrain-continue stage.")
            } else if case .ref(.scratch) = from.value {
                if !checked.present.contains("model") {
                    checker.sink.error(from.location, "stage '\(stage)' starts from scratch, so it needs 'model'. "
                        + "Add e.g. '\(ValueChecker.example(for: "model"))'.")
                }
                if !checked.present.contains("tokenizer") {
                    checker.sink.error(from.location, "stage '\(stage)' starts from scratch, so it needs 'tokenizer'. "
                        + "Add e.g. 'tokenizer: tok' (a tokenize stage) or a directory holding tokenizer.json.")
                }
            } else if let model = fields["model"] {
                checker.sink.error(model.location, "'model' in stage '\(stage)' only applies with 'from: scratch'; a stage "
                    + "that starts from a trained model keeps its architecture. Remove 'model'.")
            }
        }
        if case .object(let model)? = fields["model"]?.value {
            // `model:` is a nested mapping, so its table defaults are filled in already
            let embd = Self.int(model["n_embd"], 0), heads = Self.int(model["n_head"], 0)
            let architecture: String
            if case .string(let a)? = model["architecture"] { architecture = a } else { architecture = ModelConfig.defaultArchitecture }
            let at = fields["model"]!.location
            if architecture != "bert", model["type_vocab_size"] != nil {
                checker.sink.error(at, "'type_vocab_size' in 'model' of stage '\(stage)' applies to BERT encoders only (token "
                    + "type rows for text pairs). Remove it, or set 'architecture: bert'.")
            }
            if architecture == "bert" {
                if heads > 0, embd % heads != 0 {
                    checker.sink.error(at, "'n_embd' (\(embd)) in 'model' of stage '\(stage)' must be a "
                        + "multiple of 'n_head' (\(heads)) (BERT's hidden_size / num_attention_heads). Change one of them.")
                }
                for key in ["num_key_value_heads", "head_dim", "rope_theta", "tie_word_embeddings"] where model[key] != nil {
                    checker.sink.error(at, "'\(key)' in 'model' of stage '\(stage)' does not apply to BERT, which has learned "
                        + "positions, one key/value head per head and a masked-LM decoder tied to the word embeddings. Remove it.")
                }
            } else if architecture == "gpt2" {
                if heads > 0, embd % heads != 0 {
                    checker.sink.error(at, "'n_embd' (\(embd)) in 'model' of stage '\(stage)' must be a "
                        + "multiple of 'n_head' (\(heads)). Change one of them.")
                }
                for key in ["num_key_value_heads", "head_dim", "rope_theta", "tie_word_embeddings", "intermediate_size"] where model[key] != nil {
                    checker.sink.error(at, "'\(key)' in 'model' of stage '\(stage)' applies to Llama-family models only; "
                        + "GPT-2 has learned positions, one key/value head per head and a tied head. Remove it, or set "
                        + "'architecture: llama'.")
                }
            } else {
                let kv = Self.int(model["num_key_value_heads"], heads)
                if kv > 0, heads % kv != 0 {
                    checker.sink.error(at, "'num_key_value_heads' (\(kv)) in 'model' of stage '\(stage)' must divide "
                        + "'n_head' (\(heads)). Change one of them.")
                }
                if model["head_dim"] == nil, heads > 0, embd % heads != 0 || (embd / heads) % 2 != 0 {
                    checker.sink.error(at, "'n_embd' (\(embd)) in 'model' of stage '\(stage)' must be 'n_head' (\(heads)) times an "
                        + "even head width (rotary embeddings pair its halves), or give 'head_dim'.")
                } else if case .int(let hd)? = model["head_dim"], hd % 2 != 0 {
                    checker.sink.error(at, "'head_dim' (\(hd)) in 'model' of stage '\(stage)' must be even (rotary embeddings "
                        + "pair its halves).")
                }
            }
            let positions = Self.int(model["n_positions"], Int.max)
            if let sequence = fields["sequence_len"], case .int(let length) = sequence.value, length > positions {
                checker.sink.error(sequence.location, "'sequence_len' (\(length)) \(scope.phrase) exceeds the model's "
                    + "'n_positions' (\(positions)). Lower 'sequence_len' or raise 'n_positions'.")
            }
        }
        if let size = fields["val_set_size"], case .number(let value) = size.value, value >= 1, value != value.rounded() {
            checker.sink.error(size.location, "'val_set_size' \(scope.phrase) counts records when it is 1 or more, so it "
                + "must be a whole number, got \(value.description). Use a fraction below 1 or a whole count.")
        }
        if kind == .domainAdapt || kind == .attachAdapters, let replay = fields["replay"], case .object(let spec) = replay.value,
           case .number(let ratio)? = spec["ratio"], ratio > 0 {
            let rows = Self.int(current("micro_batch_size"), 1) * Self.int(current("gradient_accumulation_steps"), 1)
            if rows < 2 {
                checker.sink.error(replay.location, "'replay' \(scope.phrase) mixes general rows into every optimizer step, "
                    + "which needs at least 2 rows per step (micro_batch_size × gradient_accumulation_steps is \(rows)). "
                    + "Set micro_batch_size or gradient_accumulation_steps to 2 or more.")
            }
        }
        if let freeze = fields["freeze_trainable_layers"], case .int(0) = freeze.value {
            checker.sink.error(freeze.location, "'freeze_trainable_layers' \(scope.phrase) must not be 0. Use N > 0 to "
                + "train the last N blocks, N < 0 for the first N, or remove the key to train all.")
        }
        if let patterns = fields["unfrozen_parameters"], case .list(let items) = patterns.value {
            for case (let index, .string(let pattern)) in items.enumerated() {
                if (try? Regex(pattern)) == nil {  // the engine training uses (Modeling.Freezing)
                    checker.sink.error(patterns.location, "'unfrozen_parameters[\(index)]' \(scope.phrase) is not a valid "
                        + "regular expression: '\(pattern)'. Fix the pattern.")
                } else if let problem = PatternSafety.problem(in: pattern) {
                    checker.sink.error(patterns.location, "'unfrozen_parameters[\(index)]' \(scope.phrase) '\(pattern)' "
                        + "\(problem). Write it without repeating a group that holds a quantifier or '|', "
                        + "e.g. 'h\\.[0-9]+\\.mlp' instead of '(h\\.[0-9]+)+'.")
                }
            }
        }
        if let layers = fields["peft_layers_to_transform"], case .list(let items) = layers.value,
           items.contains(where: { if case .int(let n) = $0 { n < 0 } else { false } }) {
            checker.sink.error(layers.location, "'peft_layers_to_transform' \(scope.phrase) lists block indices, which "
                + "start at 0. Remove the negative entries.")
        }
        checkKeysWithoutEffect(checked, kind: kind, scope: scope)
        if kind == .classify { checkClassifyLoRA(checked, scope: scope) }
        if kind == .tokenize, case .int(let size)? = fields["vocab_size"]?.value,
           case .list(let specials)? = fields["special_tokens"]?.value ?? .some(.list([.string("")])),
           size <= 256 + specials.count {
            checker.sink.error(fields["vocab_size"]!.location, "'vocab_size' \(scope.phrase) must exceed 256 byte tokens "
                + "plus \(specials.count) special token(s), got \(size). Use at least \(257 + specials.count).")
        }
    }

    /// Keys that are valid alone but would have no effect beside the others (issue 22): refused with the
    /// reason, never accepted and ignored. `present` holds keys written in the stage or in `defaults:`.
    private mutating func checkKeysWithoutEffect(_ checked: ValueChecker.CheckedObject, kind: StageKind, scope: Scope) {
        let fields = checked.fields, present = checked.present
        func refuse(_ key: String, _ why: String) {
            checker.sink.error(fields[key]?.location ?? SourceLocation(line: 0, column: 0), "'\(key)' \(scope.phrase) \(why)")
        }
        if kind == .tokenize, present.contains("from") {
            for key in ["vocab_size", "min_frequency", "special_tokens"] where present.contains(key) {
                refuse(key, "has no effect: 'from' reuses an existing tokenizer as it is. Remove '\(key)', or remove 'from' to train a new one.")
            }
        }
        if kind == .evaluate, case .object(let samples)? = fields["samples"]?.value, samples["system"] != nil,
           !present.contains("chat_template") {
            refuse("samples", "has a system message, which only a chat template sends. Add chat_template (e.g. tokenizer), or remove samples.system.")
        }
        guard kind.isTraining else { return }
        let scheduler: String = if case .string(let name)? = fields["lr_scheduler"]?.value ?? KeyTables.keys(for: kind).lookup["lr_scheduler"]?.spec.defaultValue { name } else { "" }
        if scheduler == "constant" {
            for key in ["warmup_steps", "warmup_ratio"] where present.contains(key) {
                refuse(key, "has no effect with lr_scheduler 'constant' (HF's constant schedule has no warm-up). Use "
                    + "lr_scheduler: constant_with_warmup, or remove '\(key)'.")
            }
        }
        if present.contains("cosine_min_lr_ratio"), scheduler != "cosine" {
            refuse("cosine_min_lr_ratio", "only floors the cosine schedule, and lr_scheduler is '\(scheduler)'. Remove it or use lr_scheduler: cosine.")
        }
        let holdsOut: Bool = if case .number(let share)? = fields["val_set_size"]?.value { share > 0 }
            else if case .int(let count)? = fields["val_set_size"]?.value { count > 0 } else { false }
        if !holdsOut, !present.contains("test_datasets") {
            for key in ["eval_steps", "early_stopping_patience"] where present.contains(key) {
                refuse(key, "needs validation data, and this stage has none. Set val_set_size (e.g. 0.1) or test_datasets, or remove '\(key)'.")
            }
        }
    }

    static func int(_ value: CheckedValue?, _ fallback: Int) -> Int {
        if case .int(let number)? = value { return number }
        return fallback
    }
}
