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
        let s = Shape(c), B = Double(batch), T = Double(sequence)
        let activations = B * T * (s.layers * (4 * s.width + s.blockActivations + 2 * s.heads * T) + 3 * s.vocab)
        let extraGradients = Double(max(0, min(workers, batch) - 1)) * s.parameters
        return 4 * (4 * s.parameters + extraGradients + activations)
    }

    /// Bytes to score `config` on `batch` sequences of `sequence` tokens: the weights once, one layer's
    /// activations (inference shares them across layers, `GPTActivations`), one attention-probability
    /// slot of H·T per token, and V per token for the logits. The rows of a batch are split across
    /// threads, so the total does not grow with them.
    static func inferenceBytes(_ c: GPTConfig, batch: Int, sequence: Int) -> Double {
        let s = Shape(c), B = Double(batch), T = Double(sequence)
        return 4 * (s.parameters + B * T * (6 * s.width + s.blockActivations + s.heads * T + 2 * s.vocab))
    }

    /// The sizes both estimates use, in Double (the inputs may be absurd).
    private struct Shape {
        /// C, L, V, H.
        let width: Double, layers: Double, vocab: Double, heads: Double
        /// Parameters of the whole model.
        let parameters: Double
        /// Floats per token of a block's qkv, attention output, MLP input and MLP hidden rows.
        let blockActivations: Double

        init(_ c: GPTConfig) {
            width = Double(c.nEmbd); layers = Double(c.nLayer); vocab = Double(c.vocabSize); heads = Double(c.nHead)
            let F = Double(c.intermediateSize), hd = Double(c.headDim), P = Double(c.nPositions)
            let qkv = (heads + 2 * Double(c.nKVHead)) * hd, attention = heads * hd
            let mlpIn = c.block.gatedMLP ? 2 * F : F
            let block = width * qkv + attention * width + width * mlpIn + F * width + qkv + mlpIn + 6 * width
            parameters = vocab * width * (c.tiedEmbeddings ? 1 : 2) + (c.block.rotary ? 0 : P * width) + layers * block + 2 * width
            blockActivations = qkv + attention + mlpIn + F
        }
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
