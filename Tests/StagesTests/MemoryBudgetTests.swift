import Modeling
@testable import Stages
import Testing

/// The memory estimates checked before a stage allocates: evaluation of a 30-layer model fits where its
/// training would not, and an absurd batch is refused with the keys to change.
@Suite struct MemoryBudgetTests {
    /// SmolLM2-135M's shape: 30 layers, C 576, 9 heads over 3 key/value heads, SwiGLU 1536, V 49152, tied.
    static let smolLM2 = GPTConfig(
        family: .llama, modelType: "llama", vocabSize: 49_152, nPositions: 8_192, nEmbd: 576, nLayer: 30, nHead: 9,
        nKVHead: 3, headDim: 64, intermediateSize: 1_536, layerNormEpsilon: 1e-5, tiedEmbeddings: true)

    @Test("Scoring SmolLM2 at 8 × 1,024 tokens is estimated at a few GiB, under a fifth of training the same batch")
    func inferenceEstimateIsAFractionOfTraining() {
        let gib = 1_073_741_824.0
        let inference = MemoryBudget.inferenceBytes(Self.smolLM2, batch: 8, sequence: 1_024)
        let training = MemoryBudget.trainingBytes(Self.smolLM2, batch: 8, sequence: 1_024, workers: 1)
        #expect(inference > 3 * gib && inference < 5 * gib, "\(inference / gib) GiB")
        #expect(training > 5 * inference, "\(training / gib) GiB against \(inference / gib) GiB")
    }

    @Test("An evaluation batch beyond the machine's memory is refused with the keys to lower")
    func absurdEvaluationBatchIsRefused() throws {
        #expect(throws: Never.self) { try MemoryBudget.checkInference(Self.smolLM2, batch: 1, sequence: 1_024) }
        let error = #expect(throws: StageError.self) {
            try MemoryBudget.checkInference(Self.smolLM2, batch: 1_000_000, sequence: 8_192)
        }
        let text = "\(error.map { String(describing: $0) } ?? "")"
        #expect(text.contains("eval_batch_size or eval_sequence_len"), "\(text)")
        #expect(text.contains("evaluating this model (llama, n_layer 30"), "\(text)")
    }
}
