import Compute
import Foundation
import Modeling

/// A rough, deliberately generous estimate of the memory a training stage needs, checked against the
/// machine's RAM before anything big is allocated, so a model or batch too large for the machine is a
/// clear error instead of a crash inside an allocation.
enum MemoryBudget {
    /// Bytes to train `config` on `batch` sequences of `sequence` tokens: weights, gradients and the
    /// two AdamW moments (4 × 4 bytes per parameter), one more gradient buffer per data-parallel worker
    /// after the first (`GPTTrainer.replicas`; the workers split the batch's rows, so activations do
    /// not grow), plus activations, about 4·C + qkv + attention + MLP widths + 2·H·T floats per token
    /// per block (GPTActivations: norms, residuals, qkv, attention probabilities, MLP; 16·C + 2·H·T for
    /// GPT-2) and 3·V per token for logits, probabilities and their gradient. Computed in Double: the
    /// inputs may be absurd.
    static func trainingBytes(_ c: GPTConfig, batch: Int, sequence: Int, workers: Int = ComputeThreads.configured) -> Double {
        let C = Double(c.nEmbd), L = Double(c.nLayer), V = Double(c.vocabSize), P = Double(c.nPositions)
        let H = Double(c.nHead), B = Double(batch), T = Double(sequence), F = Double(c.intermediateSize)
        let hd = Double(c.headDim), qkv = (H + 2 * Double(c.nKVHead)) * hd, attention = H * hd
        let mlpIn = c.block.gatedMLP ? 2 * F : F
        let block = C * qkv + attention * C + C * mlpIn + F * C + qkv + mlpIn + 6 * C
        let parameters = V * C * (c.tiedEmbeddings ? 1 : 2) + (c.block.rotary ? 0 : P * C) + L * block + 2 * C
        let activations = B * T * (L * (4 * C + qkv + attention + mlpIn + F + 2 * H * T) + 3 * V)
        let extraGradients = Double(max(0, min(workers, batch) - 1)) * parameters
        return 4 * (4 * parameters + extraGradients + activations)
    }

    /// Bytes to score `config` on `batch` sequences of `sequence` tokens: the weights once, one layer's
    /// activations (inference shares them across layers, `GPTActivations`), one attention-probability
    /// slot of H·T per token, and V per token for the logits. The rows of a batch are split across
    /// threads, so the total does not grow with them.
    static func inferenceBytes(_ c: GPTConfig, batch: Int, sequence: Int) -> Double {
        let C = Double(c.nEmbd), L = Double(c.nLayer), V = Double(c.vocabSize), P = Double(c.nPositions)
        let H = Double(c.nHead), B = Double(batch), T = Double(sequence), F = Double(c.intermediateSize)
        let hd = Double(c.headDim), qkv = (H + 2 * Double(c.nKVHead)) * hd, attention = H * hd
        let mlpIn = c.block.gatedMLP ? 2 * F : F
        let block = C * qkv + attention * C + C * mlpIn + F * C + qkv + mlpIn + 6 * C
        let parameters = V * C * (c.tiedEmbeddings ? 1 : 2) + (c.block.rotary ? 0 : P * C) + L * block + 2 * C
        return 4 * (parameters + B * T * (6 * C + qkv + attention + mlpIn + F + H * T + 2 * V))
    }

    /// - Throws: ``StageError/invalidInput(_:)`` when the estimate exceeds the machine's physical memory.
    static func check(_ c: GPTConfig, batch: Int, sequence: Int) throws {
        try require(trainingBytes(c, batch: batch, sequence: sequence), for: "training", c, batch: batch, sequence: sequence,
                    keys: "micro_batch_size or sequence_len")
    }

    /// - Throws: ``StageError/invalidInput(_:)`` when scoring `batch` × `sequence` would not fit in memory.
    static func checkInference(_ c: GPTConfig, batch: Int, sequence: Int) throws {
        try require(inferenceBytes(c, batch: batch, sequence: sequence), for: "evaluating", c, batch: batch, sequence: sequence,
                    keys: "eval_batch_size or eval_sequence_len")
    }

    private static func require(_ needed: Double, for task: String, _ c: GPTConfig, batch: Int, sequence: Int, keys: String) throws {
        let available = Double(ProcessInfo.processInfo.physicalMemory)
        guard needed <= available else {
            let gib = { (x: Double) in String(format: "%.1f GiB", x / 1_073_741_824) }
            throw StageError.invalidInput("\(task) this model (\(c.modelType), n_layer \(c.nLayer), n_embd \(c.nEmbd), vocab_size \(c.vocabSize)) with \(batch) × \(sequence) tokens per batch needs about \(gib(needed)), but this machine has \(gib(available)). Use a smaller model, \(keys).")
        }
    }
}
