public import Datasets
import Foundation
public import Modeling
public import Tokenization

/// One model with its tokenizer, and the measurements the evaluate stage, `lathe sample` and
/// `lathe-bench quality` make with it. Data is encoded exactly as the training stages encode it
/// (segments tokenized separately, EOS appended), so losses compare with a stage's `val_loss`.
public struct ModelScorer {
    public let model: GPTModel
    public let tokenizer: BPETokenizer

    public init(model: GPTModel, tokenizer: BPETokenizer) {
        self.model = model
        self.tokenizer = tokenizer
    }

    var endOfText: Int32? { tokenizer.endOfTextId.map { Int32($0) } }

    /// Mean loss over the loss-carrying tokens of `encoded` in windows of `sequenceLength` tokens,
    /// `batchSize` rows per forward pass.
    ///
    /// - `packed: false` (completion text): one stream cut into rows, positions restarting at each
    ///   document, no loss across a boundary; every token and each EOS scored.
    /// - `packed: true` (instruction records): whole records packed into rows, never attending across
    ///   records; only the tokens the mask trains (response + EOS) scored.
    /// Cost: one forward pass per `batchSize` rows.
    public func loss(_ encoded: EncodedDataset, sequenceLength: Int, batchSize: Int, packed: Bool) throws -> EvaluationResult {
        let vocab = model.config.vocabSize
        let data: TrainingData
        if packed {
            var documents: [[Int32]] = [], masks: [[UInt8]] = []
            for d in 0..<encoded.documentCount {
                let (t, m) = encoded.document(d)
                documents.append(t.map { Int32(truncatingIfNeeded: $0) })
                masks.append(Array(m))
            }
            data = try TrainingData.packed(documents: documents, lossMasks: masks, sequenceLength: sequenceLength, vocabSize: vocab)
        } else {
            data = try TrainingData.contiguous(
                tokens: encoded.tokens.map { Int32(truncatingIfNeeded: $0) }, lossMask: encoded.lossMask,
                documentStarts: Array(encoded.documentOffsets.dropLast()), sequenceLength: sequenceLength, vocabSize: vocab)
        }
        return try model.evaluate(data, batchSize: batchSize)
    }

    /// The whole documents within the first `maxTokens` tokens (at least the first document, cut to
    /// `maxTokens` when it alone is longer).
    public static func prefix(_ encoded: EncodedDataset, maxTokens: Int) -> EncodedDataset {
        guard encoded.tokens.count > maxTokens else { return encoded }
        let whole = encoded.documentOffsets.filter { $0 <= maxTokens }
        let end = whole.count > 1 ? whole.last! : maxTokens
        return EncodedDataset(tokens: Array(encoded.tokens[..<end]), lossMask: Array(encoded.lossMask[..<end]),
                              documentOffsets: whole.count > 1 ? whole : [0, end])
    }

    /// The prompt of an instruction example as token ids: every segment that carries no loss, each
    /// tokenized on its own as in training (special tokens a chat template wrote as their ids). Empty
    /// for completion text.
    public func promptTokens(_ example: Example) -> [Int32] {
        example.segments.filter { !$0.trained }.flatMap {
            tokenizer.encode(bytes: $0.bytes, allowAddedTokens: $0.parsesSpecialTokens).map { Int32($0) }
        }
    }

    /// The ids generation stops at besides end-of-text: `template`'s end-of-turn token when the
    /// tokenizer has it (`<|im_end|>` for ChatML); none without a template.
    public func stopTokens(_ template: ChatTemplate?) -> [Int32] {
        guard let template, let id = tokenizer.addedTokenId(template.endOfTurn) else { return [] }
        return [Int32(id)]
    }

    /// The text an instruction example's response should be (its trained segments).
    public static func reference(_ example: Example) -> String {
        String(decoding: example.segments.filter(\.trained).flatMap(\.bytes), as: UTF8.self)
    }

    /// Continues `prompt` (ids) until EOS or `options.maxNewTokens`; the decoded text without special
    /// tokens, and how many tokens were generated. An empty prompt starts from EOS (GPT-2's BOS).
    public func continuation(_ prompt: [Int32], options: GenerationOptions) throws -> (text: String, tokens: Int) {
        var options = options
        if let eos = endOfText, !options.stopTokens.contains(eos) { options.stopTokens.append(eos) }
        let context = prompt.isEmpty ? endOfText.map { [$0] } ?? [0] : prompt
        let out = try model.generate(prompt: context, options: options)
        return (tokenizer.decodeText(out.map { Int($0) }, skipSpecialTokens: true), out.count)
    }

    /// Continues a text prompt (encoded as one segment) until EOS or `options.maxNewTokens`.
    public func continuation(_ prompt: String, options: GenerationOptions) throws -> String {
        try continuation(tokenizer.encode(prompt).map { Int32($0) }, options: options).text
    }

    /// Index of the choice with the highest summed log-likelihood after `prompt`, each choice scored as
    /// the trained response would be: its own tokens followed by EOS (so a choice cannot win by being a
    /// prefix of a likelier text). Ties go to the first choice. One forward pass per choice.
    public func bestChoice(prompt: [Int32], choices: [String]) throws -> Int {
        let context = prompt.isEmpty ? endOfText.map { [$0] } ?? [0] : prompt
        var best = 0, bestScore = -Double.infinity
        for (i, choice) in choices.enumerated() {
            let ids = tokenizer.encode(choice).map { Int32($0) } + (endOfText.map { [$0] } ?? [])
            let score = try model.logLikelihood(context: context, continuation: Array(ids.suffix(model.config.nPositions)))
            if score.logLikelihood > bestScore { best = i; bestScore = score.logLikelihood }
        }
        return best
    }
}
