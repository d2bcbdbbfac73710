extension LoadSession {
    /// Builds the typed recipe once every check has passed (so the fallbacks below are never taken).
    func build(name: String, seed: Int, run: RunSettingsLayer) -> Recipe {
        let stages = drafts.map { draft -> RecipeStage in
            let values = draft.fields.mapValues(\.value)
            let reader = ParamReader(values: values)
            let params: StageParams = switch draft.kind ?? .tokenize {
            case .tokenize: .tokenize(reader.tokenize())
            case .pretrainContinue, .domainAdapt, .instruct: .training(reader.training())
            case .attachAdapters: .adapters(reader.adapters())
            case .evaluate: .evaluate(reader.evaluate())
            case .classify: .classify(reader.classify())
            }
            return RecipeStage(
                name: draft.name, kind: draft.kind ?? .tokenize,
                line: draft.location.line, column: draft.location.column, params: params,
                upstream: upstream(of: draft),
                inputs: draft.inputs.sorted(),
                canonicalParams: CanonicalParams.flatten(values))
        }
        return Recipe(name: name, seed: seed, file: file, stages: stages, run: run)
    }

    /// The stages `draft` reads, sorted. An evaluate stage also reads, for every `attach-adapters` stage (and
    /// LoRA classify stage) it lists, that stage's base chain (its `from:` and `tokenizer:` stages, through further adapter
    /// stages), because an adapter stage's output holds only the PEFT adapter and the evaluated model is
    /// base + adapter.
    func upstream(of draft: StageDraft) -> [String] {
        var names = Set(draft.references.map(\.target))
        guard draft.kind == .evaluate else { return names.sorted() }
        var pending = draft.references.filter { $0.role == .evaluatedModel }.map(\.target)
        var visited: Set<String> = []
        while let name = pending.popLast() {
            guard visited.insert(name).inserted, let index = draftIndex[name],
                  drafts[index].kind == .attachAdapters || drafts[index].kind == .classify && Self.classifyUsesLoRA(drafts[index].fields)
            else { continue }
            for reference in drafts[index].references where reference.role == .model || reference.role == .tokenizer {
                names.insert(reference.target)
                pending.append(reference.target)
            }
        }
        return names.sorted()
    }
}

/// Reads checked `PValue`s into the typed params structs.
struct ParamReader {
    var values: [String: PValue]

    func int(_ key: String) -> Int? { if case .int(let v)? = values[key] { v } else { nil } }
    func number(_ key: String) -> Double? {
        switch values[key] {
        case .number(let v)?: v
        case .int(let v)?: Double(v)
        default: nil
        }
    }
    func bool(_ key: String) -> Bool? { if case .bool(let v)? = values[key] { v } else { nil } }
    func string(_ key: String) -> String? { if case .string(let v)? = values[key] { v } else { nil } }
    func ref(_ key: String) -> FromRef? { if case .ref(let v)? = values[key] { v } else { nil } }
    func list(_ key: String) -> [PValue]? { if case .list(let v)? = values[key] { v } else { nil } }
    func strings(_ key: String) -> [String]? {
        list(key)?.compactMap { if case .string(let v) = $0 { v } else { nil } }
    }
    func object(_ key: String) -> ParamReader? {
        if case .object(let v)? = values[key] { ParamReader(values: v) } else { nil }
    }
    func objects(_ key: String) -> [ParamReader] {
        (list(key) ?? []).compactMap { if case .object(let v) = $0 { ParamReader(values: v) } else { nil } }
    }
    func enumValue<E: RawRepresentable>(_ key: String, _ fallback: E) -> E where E.RawValue == String {
        string(key).flatMap(E.init(rawValue:)) ?? fallback
    }

    func dataset() -> DatasetSpec {
        DatasetSpec(path: string("path") ?? "", type: enumValue("type", .completion), field: string("field"),
                    splitDocuments: enumValue("split_documents", .line), fields: fields(), textField: string("text_field") ?? "text",
                    labelField: string("label_field") ?? "label", textPairField: string("text_pair_field"),
                    columns: strings("columns"))
    }

    func classify() -> ClassifyParams {
        var params = ClassifyParams(training: training(), labels: strings("labels"))
        params.lora = string("adapter") == nil ? nil : classifyLoRA()
        return params
    }

    func fields() -> DatasetFields {
        DatasetFields(messages: string("field_messages"), role: string("message_field_role"),
                      content: string("message_field_content"), instruction: string("field_instruction"),
                      input: string("field_input"), output: string("field_output"))
    }

    func tokenize() -> TokenizeParams {
        let from = ref("from").flatMap { $0 == .scratch ? nil : $0 }
        return TokenizeParams(
            datasets: objects("datasets").map { $0.dataset() }, vocabSize: int("vocab_size") ?? 8192,
            minFrequency: int("min_frequency") ?? 2, specialTokens: strings("special_tokens") ?? [],
            from: from, maxSamples: int("max_samples"), threads: int("threads"))
    }

    func training() -> TrainingParams {
        let model = object("model").map { m in
            var config = ModelConfig(architecture: m.string("architecture") ?? "gpt2", vocabSize: m.int("vocab_size"),
                        nPositions: m.int("n_positions") ?? 1024,
                        nEmbd: m.int("n_embd") ?? 768, nLayer: m.int("n_layer") ?? 12, nHead: m.int("n_head") ?? 12,
                        layerNormEpsilon: m.number("layer_norm_epsilon") ?? 1e-5,
                        initializerRange: m.number("initializer_range") ?? 0.02, nKVHead: m.int("num_key_value_heads"),
                        headDim: m.int("head_dim"), intermediateSize: m.int("intermediate_size"),
                        ropeTheta: m.number("rope_theta"), tieWordEmbeddings: m.bool("tie_word_embeddings"))
            config.typeVocabSize = m.int("type_vocab_size")
            return config
        }
        let replay = object("replay").map { r in
            ReplaySpec(datasets: r.objects("datasets").map { $0.dataset() }, ratio: r.number("ratio") ?? 0)
        }
        var params = TrainingParams(
            from: ref("from") ?? .scratch, tokenizer: ref("tokenizer"), model: model,
            datasets: objects("datasets").map { $0.dataset() },
            testDatasets: objects("test_datasets").map { $0.dataset() },
            valSetSize: number("val_set_size") ?? 0, sequenceLen: int("sequence_len"),
            samplePacking: bool("sample_packing") ?? false, trainOnInputs: bool("train_on_inputs") ?? false,
            trainOnEos: bool("train_on_eos") ?? true, maxSteps: int("max_steps"), numEpochs: number("num_epochs") ?? 1,
            microBatchSize: int("micro_batch_size") ?? 1,
            gradientAccumulationSteps: int("gradient_accumulation_steps") ?? 1,
            learningRate: number("learning_rate") ?? 3e-4, lrScheduler: enumValue("lr_scheduler", .cosine),
            warmupSteps: int("warmup_steps"), warmupRatio: number("warmup_ratio"),
            cosineMinLrRatio: number("cosine_min_lr_ratio") ?? 0, optimizer: enumValue("optimizer", .adamw),
            weightDecay: number("weight_decay") ?? 0, adamBeta1: number("adam_beta1") ?? 0.9,
            adamBeta2: number("adam_beta2") ?? 0.999, adamEpsilon: number("adam_epsilon") ?? 1e-8,
            maxGradNorm: number("max_grad_norm") ?? 1, evalSteps: int("eval_steps"), saveSteps: int("save_steps"),
            loggingSteps: int("logging_steps") ?? 10, earlyStoppingPatience: int("early_stopping_patience"),
            seed: int("seed") ?? 0, threads: int("threads"),
            freezeTrainableLayers: int("freeze_trainable_layers"),
            unfrozenParameters: strings("unfrozen_parameters") ?? [], replay: replay, maxSamples: int("max_samples"))
        params.chatTemplate = string("chat_template")
        params.deterministic = bool("deterministic") ?? false
        params.trainOn = enumValue("train_on", .assistant)
        params.truncation = enumValue("truncation", .drop)
        params.ranks = int("ranks")
        params.mlmProbability = number("mlm_probability")
        return params
    }

    func adapters() -> AdapterParams {
        let rank = int("lora_r") ?? 8
        return AdapterParams(
            training: training(), adapter: string("adapter") ?? "lora", loraR: rank,
            loraAlpha: number("lora_alpha") ?? Double(2 * rank), loraDropout: number("lora_dropout") ?? 0,
            loraTargetModules: strings("lora_target_modules") ?? ["c_attn"],
            loraTargetLinear: bool("lora_target_linear") ?? false,
            peftUseRslora: bool("peft_use_rslora") ?? false,
            peftLayersToTransform: list("peft_layers_to_transform")?.compactMap { if case .int(let v) = $0 { v } else { nil } },
            loraModulesToSave: strings("lora_modules_to_save") ?? [], loraModelDir: string("lora_model_dir"),
            mergeLora: bool("merge_lora") ?? false)
    }

    func evaluate() -> EvaluateParams {
        let metrics: (ParamReader, String) -> [EvalMetric]? = { reader, key in
            reader.strings(key)?.compactMap(EvalMetric.init(rawValue:))
        }
        let tests = objects("test_datasets").map { d in
            EvalDatasetSpec(path: d.string("path") ?? "", type: d.enumValue("type", .completion), field: d.string("field"),
                            splitDocuments: d.enumValue("split_documents", .line), fields: d.fields(), role: d.enumValue("role", .inDomain),
                            metrics: metrics(d, "metrics"), choices: d.string("choices"), name: d.string("name"),
                            textField: d.string("text_field") ?? "text", labelField: d.string("label_field") ?? "label",
                            textPairField: d.string("text_pair_field"), columns: d.strings("columns"))
        }
        let samples = object("samples").map { SamplesSpec(prompts: $0.strings("prompts") ?? [], n: $0.int("n") ?? 1, system: $0.string("system")) }
        var params = EvaluateParams(
            models: (list("models") ?? []).compactMap { if case .ref(let r) = $0 { r } else { nil } },
            testDatasets: tests, evalMetrics: metrics(self, "eval_metrics"),
            evalBatchSize: int("eval_batch_size") ?? 8, evalSequenceLen: int("eval_sequence_len"),
            generationMaxNewTokens: int("generation_max_new_tokens") ?? 64,
            generationTemperature: number("generation_temperature") ?? 0, samples: samples,
            maxSamples: int("max_samples"), seed: int("seed") ?? 0, threads: int("threads"), chatTemplate: string("chat_template"))
        params.deterministic = bool("deterministic") ?? false
        return params
    }
}
