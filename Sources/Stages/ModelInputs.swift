import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization
import Files

/// Where a training stage's tokenizer and starting weights come from.
enum ModelInputs {
    /// The folder a `from:`/`tokenizer:` reference names: an upstream stage's outputs or a project path.
    static func directory(_ ref: FromRef, context: StageContext) throws -> URL? {
        switch ref {
        case .scratch: return nil
        case .stage(let name):
            guard let dir = context.upstreamOutputs[name] else { throw StageError.missingUpstreamFile(stage: name, file: "its outputs") }
            return dir
        case .path(let path):
            let dir = context.projectRoot.appendingPathComponent(path)
            // The hasher refused links out of the project before the run; this checks again right
            // before the model files are read (a link may have been swapped since).
            _ = try InputFiles.list(dir.path, root: context.projectRoot.path)
            return dir
        }
    }

    /// `tokenizer.json` from the referenced stage or folder.
    static func tokenizer(from ref: FromRef, context: StageContext) throws -> BPETokenizer {
        guard let dir = try directory(ref, context: context) else {
            throw StageError.invalidInput("a stage training from scratch needs `tokenizer:` (a tokenize stage or a folder holding tokenizer.json).")
        }
        if dir.pathExtension.lowercased() == "gguf" { return try GGUFSource.tokenizer(dir) }
        let file = dir.appendingPathComponent("tokenizer.json")
        if let data = try? Data(RegularFile.read(file.path)), WordPieceTokenizer.isWordPiece(data) {
            throw StageError.invalidInput("\(dir.path) is a BERT encoder (WordPiece tokenizer, model_type bert): it has no causal language-model head, so this stage cannot train it on instructions or carry adapters on it. Encoders train in `kind: classify`, and on text with the masked-LM objective in pretrain-continue or domain-adapt.")
        }
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw StageError.invalidInput("\(file.path) does not exist: name a tokenize stage in `tokenizer:`, or start from a model folder that holds tokenizer.json.")
        }
        return try BPETokenizer.load(contentsOf: file)
    }

    /// Fresh weights for `from: scratch` (seeded), else the referenced HF GPT-2 folder, or an adapter
    /// folder merged into its base (full training after LoRA: "merge first").
    static func model(_ p: TrainingParams, recipe: Recipe, tokenizer: BPETokenizer, context: StageContext) throws -> GPTModel {
        guard try directory(p.from, context: context) != nil else {
            guard let m = p.model else {
                throw StageError.invalidInput("`from: scratch` needs `model:` (n_layer, n_head, n_embd, n_positions).")
            }
            guard m.architecture != "bert" else {
                throw StageError.invalidInput("`architecture: bert` builds an encoder, which needs a WordPiece tokenizer in `tokenizer:` (a BERT folder's tokenizer.json); this one is byte-level BPE.")
            }
            let config = scratchConfig(m, vocabSize: tokenizer.vocabSize, endOfText: tokenizer.endOfTextId)
            try config.validate()
            try MemoryBudget.check(config, batch: p.microBatchSize, sequence: p.sequenceLen ?? config.nPositions)
            return try GPTModel(config: config, seed: UInt64(truncatingIfNeeded: p.seed))
        }
        let (model, _) = try ModelResolver.load(p.from, recipe: recipe, outputs: context.upstreamOutputs, projectRoot: context.projectRoot)
        return model.adapters == nil ? model : try model.merged()
    }

    /// A fresh BERT encoder for `from: scratch` with `model: {architecture: bert, …}` (`vocabSize`: the
    /// WordPiece tokenizer's, unless `model:` sets it), initialised as transformers' BertPreTrainedModel:
    /// weights N(0, initializer_range²) from the stage's seed, biases 0, LayerNorm 1/0, and the padding
    /// row (`padId`) of the word embeddings 0 (`nn.Embedding(padding_idx=pad_token_id)`).
    static func scratchEncoder(_ p: TrainingParams, vocabSize: Int, padId: Int) throws -> GPTModel {
        guard let m = p.model, m.architecture == "bert" else {
            throw StageError.invalidInput("`from: scratch` with a WordPiece tokenizer builds a BERT encoder: set `model: {architecture: bert, …}` (or use a byte-level BPE tokenizer for a decoder).")
        }
        let config = scratchConfig(m, vocabSize: vocabSize, endOfText: nil)
        try config.validate()
        try MemoryBudget.check(config, batch: p.microBatchSize, sequence: p.sequenceLen ?? config.nPositions)
        let model = try GPTModel(config: config, seed: UInt64(truncatingIfNeeded: p.seed))
        if padId >= 0, padId < config.vocabSize {
            let c = config.nEmbd
            try model.withParameter(named: "embeddings.word_embeddings.weight") { w in
                for j in 0..<c { w[padId * c + j] = 0 }
            }
        }
        return model
    }

    /// The shape `model:` describes for `from: scratch` (a decoder, or a BERT encoder for `architecture:
    /// bert`), with the vocabulary and end-of-text id of its tokenizer. The one place the shapes `model:` leaves open are derived: `vocab_size` = the
    /// tokenizer's (`m.vocabSize` wins when set), `num_key_value_heads` = `n_head`, `intermediate_size` =
    /// 4 × `n_embd`, `rope_theta` = 10000, tied embeddings (`head_dim` nil = `n_embd / n_head`, in `GPTConfig`).
    static func scratchConfig(_ m: ModelConfig, vocabSize tokenizerVocabulary: Int, endOfText: Int?) -> GPTConfig {
        let vocabSize = m.vocabSize ?? tokenizerVocabulary
        if m.architecture == "bert" {
            // BertConfig: post-norm encoder, q/k/v and every linear with biases, decoder tied to the word embeddings
            var config = GPTConfig(
                family: .bert, modelType: "bert", vocabSize: vocabSize, nPositions: m.nPositions, nEmbd: m.nEmbd,
                nLayer: m.nLayer, nHead: m.nHead, nKVHead: m.nHead, headDim: nil, intermediateSize: m.intermediateSize ?? 4 * m.nEmbd,
                layerNormEpsilon: Float(m.layerNormEpsilon), initializerRange: Float(m.initializerRange),
                qkvBias: true, outputBias: true, mlpBias: true, tiedEmbeddings: true)
            config.typeVocabSize = m.typeVocabSize ?? 2
            return config
        }
        if m.architecture == "gpt2" {
            return GPTConfig(
                vocabSize: vocabSize, nPositions: m.nPositions, nEmbd: m.nEmbd, nLayer: m.nLayer,
                nHead: m.nHead, layerNormEpsilon: Float(m.layerNormEpsilon), initializerRange: Float(m.initializerRange),
                bosTokenId: endOfText, eosTokenId: endOfText)
        }
        return GPTConfig(
            family: .llama, modelType: m.architecture, vocabSize: vocabSize,
            nPositions: m.nPositions, nEmbd: m.nEmbd, nLayer: m.nLayer, nHead: m.nHead, nKVHead: m.nKVHead ?? m.nHead,
            headDim: m.headDim, intermediateSize: m.intermediateSize ?? 4 * m.nEmbd,
            layerNormEpsilon: Float(m.layerNormEpsilon), initializerRange: Float(m.initializerRange),
            bosTokenId: endOfText, eosTokenId: endOfText, ropeTheta: m.ropeTheta ?? 10_000,
            qkvBias: m.architecture == "qwen2", tiedEmbeddings: m.tieWordEmbeddings ?? true)
    }
}
