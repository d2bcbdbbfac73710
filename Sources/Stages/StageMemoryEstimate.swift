import Compute
public import Foundation
import Modeling
public import Recipes

/// A stage's memory need before it runs (``MemoryBudget``), for `sbatch --mem`: training stages by
/// `MemoryBudget.trainingBytes` (micro_batch_size rows of sequence_len tokens, `threads` workers, per
/// rank), evaluate stages by the largest `MemoryBudget.inferenceBytes` of its models. nil when the
/// shape cannot be known before running: tokenize stages (no model), a model whose config.json is
/// not readable yet.
public enum StageMemoryEstimate {
    /// Bytes for one process of `stage`; with `ranks` > 1 every rank needs this much (it holds the whole
    /// model). O(length of the `from:` chain).
    public static func bytesPerRank(of stage: RecipeStage, recipe: Recipe, root: URL) -> Double? {
        switch stage.params {
        case .training(let p): training(p, recipe: recipe, root: root)
        case .adapters(let p): training(p.training, recipe: recipe, root: root)
        case .classify(let p): training(p.training, recipe: recipe, root: root)
        case .evaluate(let p): evaluate(p, recipe: recipe, root: root)
        case .tokenize: nil
        }
    }

    static func training(_ p: TrainingParams, recipe: Recipe, root: URL) -> Double? {
        guard let config = config(p, recipe: recipe, root: root) else { return nil }
        return MemoryBudget.trainingBytes(config, batch: p.microBatchSize, sequence: p.sequenceLen ?? config.nPositions,
                                          workers: p.threads ?? 1)
    }

    static func evaluate(_ p: EvaluateParams, recipe: Recipe, root: URL) -> Double? {
        var most = 0.0
        for model in p.models {
            guard let config = RankLayout.modelConfig(model, recipe: recipe, root: root, depth: 0) else { return nil }
            let sequence = p.evalSequenceLen ?? min(config.nPositions, 1024)
            most = max(most, MemoryBudget.inferenceBytes(config, batch: p.evalBatchSize, sequence: sequence))
        }
        return p.models.isEmpty ? nil : most
    }

    /// The shape a training stage trains: its `model:` when from scratch (vocabulary from `model:`, else
    /// the tokenize stage's `vocab_size`), else what `from:` leads to (through earlier training stages).
    static func config(_ p: TrainingParams, recipe: Recipe, root: URL, depth: Int = 0) -> GPTConfig? {
        guard depth < 16 else { return nil }
        switch p.from {
        case .scratch:
            guard let m = p.model else { return nil }
            var vocab = m.vocabSize
            if vocab == nil, case .stage(let name)? = p.tokenizer, case .tokenize(let t)? = recipe.stage(named: name)?.params, t.from == nil {
                vocab = t.vocabSize
            }
            guard let vocab else { return nil }
            return ModelInputs.scratchConfig(m, vocabSize: vocab, endOfText: nil)
        case .stage(let name):
            guard let upstream = recipe.stage(named: name)?.params.training else { return nil }
            return config(upstream, recipe: recipe, root: root, depth: depth + 1)
        case .path:
            return RankLayout.modelConfig(p.from, recipe: recipe, root: root, depth: 0)
        }
    }
}
