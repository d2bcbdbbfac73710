extension LoadSession {
    /// Builds the typed recipe once every check has passed: each stage's checked values (defaults filled,
    /// aliases normalised) are decoded into its kind's params (`CheckedValueDecoder`). A failure there means
    /// the key tables and `Params.swift` disagree, which is Lathe's bug, not the recipe's; it is reported
    /// as an error at the stage and no recipe is returned.
    mutating func build(name: String, seed: Int, run: RunSettingsLayer) -> Recipe? {
        var stages: [RecipeStage] = []
        for draft in drafts {
            let values = draft.fields.mapValues(\.value)
            let kind = draft.kind ?? .tokenize
            do {
                stages.append(RecipeStage(
                    name: draft.name, kind: kind,
                    line: draft.location.line, column: draft.location.column, params: try Self.params(kind, from: values),
                    upstream: upstream(of: draft),
                    inputs: draft.inputs.sorted(),
                    canonicalParams: CanonicalParams.flatten(values)))
            } catch {
                checker.sink.error(draft.location, "internal error: the checked keys of stage '\(draft.name)' do not fit its "
                    + "typed params (\(Self.describe(error))). Please report this with the recipe.")
            }
        }
        guard !checker.sink.hasErrors else { return nil }
        return Recipe(name: name, seed: seed, file: file, stages: stages, run: run)
    }

    /// Decodes one stage's checked values into the params of its kind.
    static func params(_ kind: StageKind, from values: [String: CheckedValue]) throws -> StageParams {
        switch kind {
        case .tokenize: .tokenize(try CheckedValueDecoder.decode(TokenizeParams.self, from: values))
        case .pretrainContinue, .domainAdapt, .instruct: .training(try CheckedValueDecoder.decode(TrainingParams.self, from: values))
        case .attachAdapters: .adapters(try CheckedValueDecoder.decode(AdapterParams.self, from: values))
        case .evaluate: .evaluate(try CheckedValueDecoder.decode(EvaluateParams.self, from: values))
        case .classify: .classify(try CheckedValueDecoder.decode(ClassifyParams.self, from: values))
        }
    }

    /// One line for a `DecodingError`: what went wrong and where.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return String(describing: error) }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context),
             .dataCorrupted(let context):
            return context.debugDescription
        @unknown default:
            return String(describing: error)
        }
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
