import Datasets
public import Orchestration
public import Recipes

/// Converts a validated recipe into the orchestrator's ``StageSpec``s.
///
/// References to other stages (`from`, `tokenizer`, `models[i]`) are written as the stage's name
/// and marked as reference keys, so the key holds the upstream's output digest instead of its name
/// (renaming a stage reruns nothing) while `lathe status` can still say `from base → clinic`.
public enum StageSpecs {
    public static func make(from recipe: Recipe) -> [StageSpec] {
        recipe.stages.map(make)
    }

    public static func make(_ stage: RecipeStage) -> StageSpec {
        var params = stage.canonicalParams
        var references: Set<String> = []
        func mark(_ key: String, _ ref: FromRef?) {
            guard let name = ref?.stageName else { return }
            params[key] = name
            references.insert(key)
        }
        switch stage.params {
        case .tokenize(let p):
            mark("from", p.from)
        case .training(let p):
            mark("from", p.from)
            mark("tokenizer", p.tokenizer)
        case .adapters(let p):
            mark("from", p.training.from)
            mark("tokenizer", p.training.tokenizer)
        case .classify(let p):
            mark("from", p.training.from)
            mark("tokenizer", p.training.tokenizer)
        case .evaluate(let p):
            for (i, model) in p.models.enumerated() { mark("models[\(i)]", model) }
        }
        return StageSpec(
            name: stage.name, kind: stage.kind.rawValue, params: params, referenceKeys: references,
            inputs: stage.inputs, upstream: stage.upstream, revision: revision(of: stage))
    }

    /// Implementation revision per kind (see ``StageSpec/revision``). History:
    /// domain-adapt 2 — replay rows mixed into every optimizer step with a fixed loss share, instead
    /// of replay documents appended to the data by token ratio.
    public static func revision(of kind: StageKind) -> Int {
        switch kind {
        case .domainAdapt: 2
        case .tokenize, .pretrainContinue, .instruct, .attachAdapters, .evaluate, .classify: 1
        }
    }

    /// The kind's revision, plus 10 for a training stage whose layout changed with issue 22 #5: unpacked
    /// (`sample_packing: false`) with instruction or chat records, which used to be cut from one stream
    /// and are now one padded row each. Stages the change does not touch (packed, or text streams only)
    /// keep their keys, so their stored results stay valid.
    public static func revision(of stage: RecipeStage) -> Int {
        let base = revision(of: stage.kind)
        guard let p = stage.params.training, !p.samplePacking else { return base }
        if case .classify = stage.params { return base }
        let sets = p.datasets + p.testDatasets + (p.replay?.datasets ?? [])
        return sets.contains { $0.type != .completion && $0.type != .tokenized } ? base + 10 : base
    }
}
