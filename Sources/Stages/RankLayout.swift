import Compute
public import Foundation
import Modeling
public import Recipes

/// What `lathe run --dry-run` prints under `mpirun`: the ranks, their hosts, and for each training stage
/// which rows of every optimizer step each rank trains and its memory estimate (``MemoryBudget``: a
/// rank holds the whole model, its gradients and AdamW moments, and activations for its own rows).
public enum RankLayout {
    /// The layout as text, one block per training stage. `hosts[r]` is rank r's host name.
    public static func describe(recipe: Recipe, root: URL, hosts: [String]) -> String {
        let n = hosts.count
        var text = "\nMPI: \(n) ranks; rank 0 (\(hosts.first ?? "?")) runs the other stages and alone writes the store, lock file and logs\n"
        for stage in recipe.stages where stage.kind.isTraining {
            guard let p = stage.params.training else { continue }
            let rows = p.microBatchSize * p.gradientAccumulationSteps
            let threads = ComputeThreads.resolve(p.threads)
            text += "  \(stage.name): \(rows) rows per step (micro_batch_size \(p.microBatchSize) × gradient_accumulation_steps \(p.gradientAccumulationSteps)), \(threads) thread\(threads == 1 ? "" : "s") per rank\n"
            guard rows >= n else {
                text += "    refused: fewer rows per step than ranks; raise gradient_accumulation_steps to at least \((n + p.microBatchSize - 1) / p.microBatchSize)\n"
                continue
            }
            let config = modelConfig(p.from, recipe: recipe, root: root, depth: 0)
            for r in 0..<n {
                let share = (r * rows / n)..<((r + 1) * rows / n)
                var line = "    rank \(r) (\(hosts[r])): rows \(share.lowerBound)..<\(share.upperBound)"
                if let config {
                    let bytes = MemoryBudget.trainingBytes(config, batch: min(p.microBatchSize, share.count),
                                                           sequence: p.sequenceLen ?? config.nPositions, workers: threads)
                    line += String(format: ", about %.2f GiB", bytes / 1_073_741_824)
                } else {
                    line += ", memory not estimated (the model's config.json is not readable before the run)"
                }
                text += line + "\n"
            }
        }
        return text
    }

    /// The decoder shape a `from:` reference trains (following stage references to a folder or
    /// `from: scratch` with `model:`), or nil when it cannot be known before running.
    static func modelConfig(_ ref: FromRef?, recipe: Recipe, root: URL, depth: Int) -> GPTConfig? {
        guard let ref, depth < 16 else { return nil }
        switch ref {
        case .stage(let name):
            guard let stage = recipe.stage(named: name) else { return nil }
            if let t = stage.params.training { return modelConfig(t.from, recipe: recipe, root: root, depth: depth + 1) }
            return nil
        case .path(let path):
            let dir = root.appendingPathComponent(path)
            guard let type = try? HFDecoderFolder.modelType(directory: dir) else { return nil }
            if HFLlamaConfig.modelTypes[type] != nil {
                let url = dir.appendingPathComponent("config.json")
                guard let data = try? Data(contentsOf: url) else { return nil }
                return try? HFLlamaConfig.parse(data, source: url.path)
            }
            guard let c = try? HFGPT2Config.read(directory: dir) else { return nil }
            return GPTConfig(vocabSize: c.vocabSize, nPositions: c.nPositions, nEmbd: c.nEmbd, nLayer: c.nLayer, nHead: c.nHead)
        case .scratch:
            return nil
        }
    }
}
