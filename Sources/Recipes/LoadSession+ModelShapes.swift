import Foundation

/// What the loader can know, before anything runs, about the model and tokenizer a stage ends up with.
struct ModelShape: Equatable {
    /// Tokens of the tokenizer, nil when unknown.
    var tokenizerVocab: Int?
    /// The model's `vocab_size`, nil when unknown (or the stage has no model).
    var modelVocab: Int?
    /// The model's `n_positions`, nil when unknown.
    var positions: Int?
    /// Where each figure comes from, for messages ("stage 'tok'", "models/gpt2/config.json").
    var tokenizerSource = "", modelSource = ""
    /// A model folder whose `model_type` Lathe does not run ("model_type 't5' (models/x/config.json)").
    var unsupportedArchitecture: String?
    /// The decoder `model_type`s Lathe runs, for the message about an unsupported one.
    var supportedModelTypes: [String] = []
    /// A BERT encoder (`model_type: bert` folder, named by its config file, or `architecture: bert` from
    /// scratch): `kind: classify` trains it, and pretrain-continue / domain-adapt with the masked-LM objective.
    var encoder: String?
    /// The model is known to be a decoder (a readable non-BERT config, or a decoder `model:` from scratch).
    var decoder = false

    /// Kinds that train a BERT encoder: classification, and masked-LM training on text.
    static let encoderKinds: Set<StageKind> = [.classify, .pretrainContinue, .domainAdapt]
}

extension LoadSession {
    /// Follows `from:`/`tokenizer:` chains to every training stage's tokenizer and model shape and
    /// reports, before anything runs, a tokenizer larger than the model's vocabulary and a
    /// `sequence_len` beyond the model's `n_positions`. Directories named by path are asked for their
    /// `config.json` / `tokenizer.json` figures through the session's ``ModelFolderReader`` (Recipes
    /// parses no model file; unreadable ones leave the figure unknown, and the stage reports them when it runs).
    mutating func checkModelShapes() {
        var memo: [Int: ModelShape] = [:]
        for (index, draft) in drafts.enumerated() where draft.kind?.isTraining == true {
            let shape = self.shape(of: index, memo: &memo, depth: 0)
            let scope = Scope(owner: "stage '\(draft.name)'")
            if let unsupported = shape.unsupportedArchitecture {
                let at = draft.fields["from"]?.location ?? draft.location
                checker.sink.error(at, "\(scope.subject) starts from a model with \(unsupported), which Lathe cannot train. "
                    + "Lathe runs decoders with model_type \(shape.supportedModelTypes.joined(separator: ", ")).")
            }
            if let encoder = shape.encoder, let kind = draft.kind, !ModelShape.encoderKinds.contains(kind) {
                let at = draft.fields["from"]?.location ?? draft.location
                checker.sink.error(at, "\(scope.subject) starts from a BERT encoder (\(encoder)), which has no causal language-model head: "
                    + "it cannot be trained on instructions, carry LoRA adapters, or generate. Encoders train in `kind: classify`, "
                    + "and on text with the masked-LM objective in `kind: pretrain-continue` or `domain-adapt`; start this stage from a decoder.")
            }
            if case .object(let model)? = draft.fields["model"]?.value, case .string("bert")? = model["architecture"],
               let field = draft.fields["tokenizer"], case .ref(.stage(let name)) = field.value,
               let index = draftIndex[name], drafts[index].kind == .tokenize {
                checker.sink.error(field.location, "\(scope.subject) builds a BERT encoder, which reads WordPiece ids, but "
                    + "'tokenizer' names tokenize stage '\(name)', which learns byte-level BPE. Name a folder holding a WordPiece "
                    + "tokenizer.json (a BERT model's), e.g. 'tokenizer: ../models/all-minilm-l6-v2'.")
            }
            if shape.encoder != nil, draft.kind == .domainAdapt, let replay = draft.fields["replay"] {
                checker.sink.error(replay.location, "'replay' \(scope.phrase) mixes general text into causal-LM steps; this stage "
                    + "trains a BERT encoder with the masked-LM objective, which takes no replay data. Remove 'replay', or list the "
                    + "general text in 'datasets'.")
            }
            if let field = draft.fields["mlm_probability"], shape.decoder, shape.encoder == nil {
                checker.sink.error(field.location, "'mlm_probability' \(scope.phrase) sets the masked-LM objective, which trains BERT "
                    + "encoders, but this stage starts from a decoder (\(shape.modelSource.isEmpty ? "its 'model'" : shape.modelSource)), "
                    + "which trains as a causal language model. Remove 'mlm_probability', or start from a BERT folder.")
            }
            if let tokens = shape.tokenizerVocab, let vocab = shape.modelVocab, tokens > vocab {
                let at = draft.fields["tokenizer"]?.location ?? draft.fields["from"]?.location ?? draft.location
                checker.sink.error(at, "\(scope.subject) uses a tokenizer of "
                    + "\(tokens) tokens (\(shape.tokenizerSource)) with a model whose vocab_size is \(vocab) "
                    + "(\(shape.modelSource)); token ids past \(vocab - 1) would have no embedding. Use the tokenizer the "
                    + "model was trained with, or a model with vocab_size ≥ \(tokens).")
            }
            if let positions = shape.positions, positions < 1, draft.fields["model"] == nil {
                // No sequence_len fits: the config is what is wrong, not the recipe's number.
                let at = draft.fields["from"]?.location ?? draft.location
                checker.sink.error(at, "the model \(scope.phrase) has 'n_positions' \(positions) (\(shape.modelSource)); a model "
                    + "needs at least 1 position, so its config is damaged. Fix 'n_positions' in \(shape.modelSource) or start from another model.")
            } else if let positions = shape.positions, let field = draft.fields["sequence_len"], case .int(let length) = field.value,
               length > positions, draft.fields["model"] == nil {
                checker.sink.error(field.location, "'sequence_len' (\(length)) \(scope.phrase) exceeds the model's "
                    + "context length (\(positions), \(shape.modelSource)). Lower 'sequence_len' to \(positions) or less.")
            }
        }
    }

    /// The shape stage `index` produces (memoised; chains deeper than the stage count are cycles,
    /// already reported).
    private func shape(of index: Int, memo: inout [Int: ModelShape], depth: Int) -> ModelShape {
        if let known = memo[index] { return known }
        guard depth <= drafts.count else { return ModelShape() }
        let draft = drafts[index]
        var shape = ModelShape()
        switch draft.kind {
        case .tokenize?:
            if case .ref(let source)? = draft.fields["from"]?.value, source != .scratch {
                shape = tokenizerShape(source, memo: &memo, depth: depth)
            } else if case .int(let size)? = draft.fields["vocab_size"]?.value {
                shape.tokenizerVocab = size
                shape.tokenizerSource = "stage '\(draft.name)', vocab_size \(size)"
            }
        case let kind? where kind.isTraining:
            let from = draft.fields["from"].flatMap { if case .ref(let r) = $0.value { r } else { nil } } ?? .scratch
            let tokenizer = draft.fields["tokenizer"].flatMap { if case .ref(let r) = $0.value { r } else { nil } }
            let base = from == .scratch ? ModelShape() : modelShape(from, memo: &memo, depth: depth)
            let tokens = tokenizer.map { tokenizerShape($0, memo: &memo, depth: depth) } ?? base
            shape.tokenizerVocab = tokens.tokenizerVocab
            shape.tokenizerSource = tokens.tokenizerSource
            if from == .scratch, case .object(let model)? = draft.fields["model"]?.value {
                shape.positions = Self.int(model["n_positions"], 1024)
                if case .string("bert")? = model["architecture"] { shape.encoder = "its 'model', architecture bert" } else { shape.decoder = true }
                if case .int(let vocab)? = model["vocab_size"] {
                    shape.modelVocab = vocab
                    shape.modelSource = "its 'model'"
                } else {
                    shape.modelVocab = shape.tokenizerVocab  // from scratch the model takes the tokenizer's size
                }
            } else {
                shape.modelVocab = base.modelVocab
                shape.positions = base.positions
                shape.modelSource = base.modelSource
                shape.unsupportedArchitecture = base.unsupportedArchitecture
                shape.supportedModelTypes = base.supportedModelTypes
                shape.encoder = base.encoder
                shape.decoder = base.decoder
            }
        default:
            break
        }
        memo[index] = shape
        return shape
    }

    private func modelShape(_ ref: FromRef, memo: inout [Int: ModelShape], depth: Int) -> ModelShape {
        switch ref {
        case .scratch: return ModelShape()
        case .stage(let name):
            guard let target = draftIndex[name] else { return ModelShape() }
            var shape = self.shape(of: target, memo: &memo, depth: depth + 1)
            shape.modelSource = "stage '\(name)'"
            return shape
        case .path(let path):
            var shape = tokenizerShape(ref, memo: &memo, depth: depth)
            let file = path + "/config.json"
            guard let absolute = checker.paths.fileInsideRoot(checker.paths.rootPath + "/" + file),
                  let facts = checker.paths.modelFolders?.modelFacts(configFile: absolute) else { return shape }
            shape.modelVocab = facts.vocabSize
            shape.positions = facts.contextLength
            shape.modelSource = file
            switch facts.architecture {
            case .decoder: shape.decoder = true
            case .encoder: shape.encoder = file
            case .unsupported(modelType: let type, supported: let supported):
                shape.unsupportedArchitecture = "model_type '\(type)' (\(file))"
                shape.supportedModelTypes = supported
            }
            return shape
        }
    }

    private func tokenizerShape(_ ref: FromRef, memo: inout [Int: ModelShape], depth: Int) -> ModelShape {
        switch ref {
        case .scratch: return ModelShape()
        case .stage(let name):
            guard let target = draftIndex[name] else { return ModelShape() }
            return self.shape(of: target, memo: &memo, depth: depth + 1)
        case .path(let path):
            var shape = ModelShape()
            let file = path + "/tokenizer.json"
            guard let absolute = checker.paths.fileInsideRoot(checker.paths.rootPath + "/" + file),
                  let size = checker.paths.modelFolders?.tokenizerSize(tokenizerFile: absolute) else { return shape }
            shape.tokenizerVocab = size
            shape.tokenizerSource = file
            return shape
        }
    }
}
