import JSONText
import Compute
import Datasets
import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization

/// `kind: evaluate` — scores every model of `models:` (in report order) on every `test_datasets:`
/// entry and writes the comparison.
///
/// Metrics (per data set; defaults in ``EvaluationDataset``):
/// - `loss` / `perplexity`: mean next-token loss (nats) and its exp; completion text over all tokens,
///   instruction records over the response + EOS only (the prompt is masked, as in training).
/// - `exact_match`, `token_f1`: greedy answer until EOS or `generation_max_new_tokens` against the
///   reference output (``AnswerScoring``).
/// - Chat templates: with `chat_template:` every prompt (instruction records, conversations, samples)
///   is rendered by it; without, `chat`/`sharegpt` data uses each model's own template (a trained
///   stage's `chat_template.jinja`). A templated record's loss covers every assistant turn with its
///   end-of-turn token (as `train_on: assistant` trains); its answer is generated after the messages
///   before the last assistant turn plus the generation prompt, until the end-of-turn token, and
///   compared with that turn (``EvaluationDataset/scored(with:)``).
/// - `accuracy`: the greedy answer gives the output label; with `choices:`, the choice with the highest
///   summed log-likelihood is the output.
/// - `forgetting`: perplexity ratio and difference against the FIRST model listed.
/// - BERT encoders: classifiers on classification data; BertForMaskedLM models on completion text by
///   masked-LM `loss` / `perplexity` under one fixed 15 % mask (``maskedLM(_:model:tokenizer:sequenceLength:batchSize:)``).
/// Every model uses its own tokenizer, so perplexities of models with different vocabularies compare
/// per token of their own tokenization only.
///
/// Outputs: `metrics.json` (``EvaluationTable``, `schemas/metrics.schema.json`), `metrics.md` (one
/// table per data set, models as rows), and with `samples:` a `samples.json`
/// (`{"models": {MODEL: [{"prompt": P, "outputs": [TEXT, …]}]}}`; sample j of prompt i uses seed
/// `mix(seed, i, j)`, the same for every model, so they compare like for like).
/// Lock-file metrics: ``EvaluationTable/headline()`` (`MODEL/DATASET/METRIC`).
struct EvaluateStage: StageAdapter {
    /// The default `eval_sequence_len` cap.
    static let defaultSequenceLimit = 1_024

    func run(_ stage: RecipeStage, recipe: Recipe, context: StageContext) throws -> StageOutcome {
        guard case .evaluate(let p) = stage.params else { throw StageError.unknownStage(stage.name) }
        ComputeThreads.set(p.threads)
        let labels = p.models.map(EvaluatedModel.label)
        if let twice = Self.firstDuplicate(labels) {
            throw StageError.invalidInput("`models:` lists '\(twice)' twice; list each model once.")
        }
        if let twice = Self.firstDuplicate(p.testDatasets.map(\.label)) {
            throw StageError.invalidInput("two test datasets are both called '\(twice)' in metrics.json; give one of them a distinct `name:`.")
        }
        var datasets: [EvaluationDataset] = []
        for spec in p.testDatasets {
            context.report(.note("reading \(spec.path)"))
            datasets.append(try EvaluationDataset(spec, stageMetrics: p.evalMetrics, root: context.projectRoot, maxSamples: p.maxSamples))
        }

        var table = EvaluationTable()
        var samples: [String: JSONValue] = [:]
        var scoredTokens = 0, generatedTokens = 0
        let total = labels.count * datasets.count + (p.samples == nil ? 0 : labels.count)
        var step = 0
        /// Scores `records` with a classifier (encoder or decoder head) and records its figures in the table.
        func scoreClassifier(_ records: [LabeledText], _ dataset: EvaluationDataset, label: String, classes: [String], model: GPTModel,
                             tokenizer: ClassifierTokenizer, sequenceLength: Int) throws {
            let metrics = try Self.classify(records, labels: classes, model: model, tokenizer: tokenizer,
                                            sequenceLength: sequenceLength, batchSize: p.evalBatchSize)
            var values = metrics.values(labels: classes)
            if !dataset.metrics.contains(.macroF1) { values["macro_f1"] = nil }
            for (metric, value) in values { table.set(value, model: label, dataset: dataset.label, metric: metric) }
            scoredTokens += records.count
            step += 1
            context.report(.progress(step: step, total: total, values: ["accuracy": metrics.accuracy]))
        }
        for (ref, label) in zip(p.models, labels) {
            if context.isCancelled() { throw StageCancelled() }
            if let dir = Self.directory(ref, context: context), let wordPiece = try ClassifierTokenizer.wordPiece(in: dir) {
                // an encoder: classifiers on classification data, BertForMaskedLM on text (masked-LM loss);
                // a folder, or a LoRA classify stage's adapter on its base
                let model = try ModelResolver.resolve(ref, recipe: recipe, outputs: context.upstreamOutputs,
                                                      projectRoot: context.projectRoot, depth: 0).model
                let sequenceLength = min(p.evalSequenceLen ?? model.config.nPositions, model.config.nPositions)
                let classes = try EvaluatedModel.classLabels(ref, outputs: context.upstreamOutputs, projectRoot: context.projectRoot)
                for dataset in datasets {
                    if dataset.records == nil, dataset.spec.type == .completion, model.config.maskedLMHead,
                       case .wordPiece(let tokenizer, _) = wordPiece {
                        context.report(.note("scoring \(label) on \(dataset.label) (masked LM, fixed masks)"))
                        let result = try Self.maskedLM(dataset, model: model, tokenizer: tokenizer, sequenceLength: sequenceLength,
                                                       batchSize: p.evalBatchSize)
                        var values: [String: Double] = [:]
                        if dataset.metrics.contains(.loss) { values["loss"] = result.meanLoss }
                        if dataset.metrics.contains(.perplexity) || dataset.metrics.contains(.forgetting) { values["perplexity"] = result.perplexity }
                        for (metric, value) in values { table.set(value, model: label, dataset: dataset.label, metric: metric) }
                        scoredTokens += result.targetTokens
                        step += 1
                        context.report(.progress(step: step, total: total, values: values))
                        continue
                    }
                    guard let records = dataset.records, let classes else {
                        let text = dataset.records == nil
                        throw StageError.invalidInput("model '\(label)' is a BERT encoder\(classes == nil ? " without a classification head" : "")\(text && !model.config.maskedLMHead ? " and without a masked-LM head (cls.predictions)" : ""): evaluate scores encoders as classifiers on `type: classification` data, and BertForMaskedLM models (a pretrain-continue or domain-adapt stage on the encoder) on `type: completion` text by masked-LM loss and perplexity; \(dataset.spec.path) is \(text ? "\(dataset.spec.type.rawValue) data" : "classification data"). List a stage that gives the encoder the head this data needs.")
                    }
                    context.report(.note("scoring \(label) on \(dataset.label)"))
                    try scoreClassifier(records, dataset, label: label, classes: classes, model: model, tokenizer: wordPiece,
                                        sequenceLength: sequenceLength)
                }
                if p.samples != nil {
                    throw StageError.invalidInput("model '\(label)' is a BERT encoder, which does not generate text: remove `samples:` or list only decoders.")
                }
                continue
            }
            let (model, tokenizer) = try EvaluatedModel.load(ref, recipe: recipe, outputs: context.upstreamOutputs, projectRoot: context.projectRoot)
            let scorer = ModelScorer(model: model, tokenizer: tokenizer)
            // at most 1,024 by default: a Llama-family context (8,192 for SmolLM2) would size every
            // evaluation batch for T² attention scores no held-out document needs
            let sequenceLength = p.evalSequenceLen ?? min(model.config.nPositions, Self.defaultSequenceLimit)
            guard sequenceLength <= model.config.nPositions else {
                throw StageError.invalidInput("eval_sequence_len \(sequenceLength) exceeds model '\(label)''s n_positions \(model.config.nPositions). Lower eval_sequence_len.")
            }
            try MemoryBudget.checkInference(model.config, batch: p.evalBatchSize, sequence: sequenceLength)
            let classes = try EvaluatedModel.classLabels(ref, outputs: context.upstreamOutputs, projectRoot: context.projectRoot)
            // `chat_template:` renders every prompt; without it, chat data uses the model's own template
            // (which a trained stage wrote beside its model), instruction data its fixed prompt.
            let needsTemplate = p.chatTemplate != nil || datasets.contains(where: \.needsTemplate)
            let chat = needsTemplate ? try ChatTemplateResolver.resolve(p.chatTemplate, needed: true, modelDirectory: Self.directory(ref, context: context),
                                                                        tokenizer: tokenizer)?.template : nil
            for dataset in datasets {
                context.report(.note("scoring \(label) on \(dataset.label)"))
                if let records = dataset.records {
                    guard let classes else {
                        throw StageError.invalidInput("test dataset \(dataset.spec.path) is classification data, but model '\(label)' has no classification head; list classify stages (or HF …ForSequenceClassification folders) for it, or evaluate this model on text.")
                    }
                    try scoreClassifier(records, dataset, label: label, classes: classes, model: model, tokenizer: .bpe(tokenizer),
                                        sequenceLength: sequenceLength)
                    continue
                }
                let template = p.chatTemplate != nil || dataset.needsTemplate ? chat : nil
                let score = try scorer.score(dataset, template: template, sequenceLength: sequenceLength, batchSize: p.evalBatchSize,
                                             maxNewTokens: p.generationMaxNewTokens, isCancelled: context.isCancelled)
                for (metric, value) in score.values { table.set(value, model: label, dataset: dataset.label, metric: metric) }
                scoredTokens += score.scoredTokens
                generatedTokens += score.generatedTokens
                step += 1
                context.report(.progress(step: step, total: total, values: score.values))
            }
            if let spec = p.samples {
                context.report(.note("sampling \(label)"))
                samples[label] = try Self.samples(spec, scorer: scorer, params: p, chat: p.chatTemplate == nil ? nil : chat,
                                                  isCancelled: context.isCancelled)
                step += 1
                context.report(.progress(step: step, total: total, values: [:]))
            }
        }
        Self.addForgetting(to: &table, datasets: datasets, models: labels)

        let out = context.outputDirectory
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        try Data(table.json().rendered().utf8).write(to: out.appendingPathComponent("metrics.json"))
        try Data(table.markdown().utf8).write(to: out.appendingPathComponent("metrics.md"))
        if p.samples != nil {
            try Data(JSONValue.object(["models": .object(JSONObject(samples))]).rendered().utf8).write(to: out.appendingPathComponent("samples.json"))
        }
        return StageOutcome(metrics: table.headline(), cost: [
            "tokens": Double(scoredTokens), "generated_tokens": Double(generatedTokens), "peak_rss_mib": PeakMemory.mebibytes(),
        ])
    }

    /// A classifier's predictions (its most probable label) on `records`, as metrics. Texts are tokenized
    /// as the classify stage tokenizes them and cut to `sequenceLength` tokens.
    /// - Throws: `DatasetError` naming the first record whose label the model does not have.
    static func classify(_ records: [LabeledText], labels: [String], model: GPTModel, tokenizer: ClassifierTokenizer,
                         sequenceLength: Int, batchSize: Int) throws -> ClassificationMetrics {
        let classes = ClassLabels(names: labels)
        try classes.check(records, role: "test")
        let encoded = records.map { tokenizer.encode($0.text, pair: $0.pair, limit: sequenceLength) }
        let logits = try model.classLogits(encoded.map { $0.ids }, tokenTypes: model.config.family == .bert ? encoded.map { $0.types } : nil,
                                           batchSize: batchSize)
        let predicted = logits.map { row in row.indices.max { row[$0] < row[$1] }! }
        return ClassificationMetrics(truth: records.map { classes.id($0.label)! }, predicted: predicted, classes: labels.count)
    }

    /// Masked-LM loss of a BertForMaskedLM on a text data set: its documents as `[CLS] … [SEP]` windows of
    /// `sequenceLength` (``MaskedLMInputs``), 15 % of the tokens chosen by the fixed evaluation mask
    /// (`MaskedLMInputs.evaluationSeed`), so every model with the same tokenizer is scored on the same
    /// positions and inputs; mean −log p(original token) over them, and its exp.
    static func maskedLM(_ dataset: EvaluationDataset, model: GPTModel, tokenizer: WordPieceTokenizer, sequenceLength: Int,
                         batchSize: Int) throws -> EvaluationResult {
        try MemoryBudget.checkInference(model.config, batch: batchSize, sequence: sequenceLength)
        let texts = dataset.examples.map { String(decoding: $0.text, as: UTF8.self) }
        let settings = try MaskedLMInputs.settings(MaskedLMInputs.evaluationProbability, tokenizer: tokenizer, config: model.config)
        let data = try MaskedLMInputs.rows(texts, tokenizer: tokenizer, sequenceLength: sequenceLength, vocabSize: model.config.vocabSize)
            .withFixedMasks(settings, seed: MaskedLMInputs.evaluationSeed)
        return try model.evaluate(data, batchSize: batchSize)
    }

    /// `forgetting_ratio` / `forgetting_delta` of every model against the first model's perplexity.
    static func addForgetting(to table: inout EvaluationTable, datasets: [EvaluationDataset], models: [String]) {
        guard let first = models.first else { return }
        for dataset in datasets where dataset.metrics.contains(.forgetting) {
            guard let reference = table.value(model: first, dataset: dataset.label, metric: "perplexity") else { continue }
            for model in models {
                guard let ppl = table.value(model: model, dataset: dataset.label, metric: "perplexity") else { continue }
                table.set(ppl / reference, model: model, dataset: dataset.label, metric: "forgetting_ratio")
                table.set(ppl - reference, model: model, dataset: dataset.label, metric: "forgetting_delta")
            }
        }
    }

    /// The folder (or `.gguf`) an evaluated model comes from, where its chat template lives.
    static func directory(_ ref: FromRef, context: StageContext) -> URL? {
        switch ref {
        case .stage(let name): context.upstreamOutputs[name]
        case .path(let path): context.projectRoot.appendingPathComponent(path)
        case .scratch: nil
        }
    }

    /// `n` generations per prompt at `generation_temperature`. With `chat`, each prompt is sent as the
    /// user's turn rendered by the template with the generation prompt (as `apply_chat_template(…,
    /// add_generation_prompt=True)` does), its special tokens encoded as their ids, pieces tokenized as
    /// training tokenizes them; generation stops at the template's end-of-turn token.
    static func samples(_ spec: SamplesSpec, scorer: ModelScorer, params p: EvaluateParams, chat: ChatTemplate? = nil,
                        isCancelled: () -> Bool) throws -> JSONValue {
        var entries: [JSONValue] = []
        for (i, prompt) in spec.prompts.enumerated() {
            var outputs: [JSONValue] = []
            for j in 0..<spec.n {
                if isCancelled() { throw StageCancelled() }
                let options = GenerationOptions(maxNewTokens: p.generationMaxNewTokens, temperature: Float(p.generationTemperature),
                                                seed: sampleSeed(UInt64(truncatingIfNeeded: p.seed), prompt: i, sample: j))
                if let chat {
                    var chatOptions = options
                    chatOptions.stopTokens = scorer.stopTokens(chat)
                    let ids = scorer.promptTokens(samplePrompt(prompt, system: spec.system, template: chat))
                    outputs.append(.string(try scorer.continuation(ids, options: chatOptions).text))
                } else {
                    outputs.append(.string(try scorer.continuation(prompt, options: options)))
                }
            }
            entries.append(.object(["prompt": .string(prompt), "outputs": .array(outputs)]))
        }
        return .array(entries)
    }

    /// What a chat model is sent for one `samples:` prompt: the optional system message and the prompt as
    /// a user turn, rendered with the generation prompt.
    static func samplePrompt(_ prompt: String, system: String?, template: ChatTemplate) -> Example {
        let messages = (system.map { [ChatMessage(.system, $0)] } ?? []) + [ChatMessage(.user, prompt)]
        return HeldOutConversation.replyPrompt(to: messages, template: template)
    }

    /// A seed per (prompt, sample), independent of the model so every model draws alike.
    static func sampleSeed(_ seed: UInt64, prompt: Int, sample: Int) -> UInt64 {
        var rng = SplitMix64(seed: seed ^ (UInt64(prompt) &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(sample) &* 0xC2B2_AE3D_27D4_EB4F))
        return rng.next()
    }

    static func firstDuplicate(_ names: [String]) -> String? {
        var seen: Set<String> = []
        return names.first { !seen.insert($0).inserted }
    }
}
