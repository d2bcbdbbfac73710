public import Tokenization

/// Turns ``Example``s into an ``EncodedDataset`` with a tokenizer.
///
/// Each segment is tokenized on its own and the ids concatenated, so a mask boundary always falls
/// between tokens: the last prompt token is masked, the first response token is trained. EOS
/// (`<|endoftext|>`) is appended when the example asks for it and carries loss when `trainEOS`.
public enum DatasetEncoder {
    /// Encodes every example, one document each.
    /// - Throws: ``DatasetError/invalidSpec(path:reason:)`` when an example wants EOS but the
    ///   tokenizer has no end-of-text token, or a pre-tokenized id is outside the vocabulary.
    public static func encode(_ examples: [Example], tokenizer: BPETokenizer) throws -> EncodedDataset {
        var encoder = BPEEncoder(tokenizer)
        var out = EncodedDataset()
        var ids: [UInt32] = []
        var mask: [UInt8] = []
        for example in examples {
            ids.removeAll(keepingCapacity: true)
            mask.removeAll(keepingCapacity: true)
            if let tokens = example.tokens {
                if let bad = tokens.first(where: { Int($0) >= tokenizer.vocabSize }) {
                    throw DatasetError.invalidSpec(path: example.source, reason: "token id \(bad) is outside the tokenizer's vocabulary of \(tokenizer.vocabSize); the shard was made with another tokenizer")
                }
                out.append(tokens: tokens, mask: example.tokenMask ?? [UInt8](repeating: 1, count: tokens.count))
                continue
            }
            for segment in example.segments {
                let before = ids.count
                segment.bytes.withUnsafeBufferPointer { encoder.encode(bytes: $0, allowAddedTokens: segment.parsesSpecialTokens, into: &ids) }
                mask += [UInt8](repeating: segment.trained ? 1 : 0, count: ids.count - before)
            }
            if example.appendEOS {
                guard let eos = tokenizer.endOfTextId else {
                    throw DatasetError.invalidSpec(path: example.source, reason: "the tokenizer has no end-of-text token ('<|endoftext|>') to append; train it with that special token")
                }
                ids.append(UInt32(eos))
                mask.append(example.trainEOS ? 1 : 0)
            }
            out.append(tokens: ids, mask: mask)
        }
        return out
    }

    /// Reads and encodes one dataset spec.
    public static func encode(_ spec: DatasetSpec, tokenizer: BPETokenizer) throws -> EncodedDataset {
        try encode(DatasetReader.examples(spec), tokenizer: tokenizer)
    }
}

/// Figures the `tokenize` stage records per dataset.
public struct DatasetStats: Sendable, Equatable, Codable {
    public var documents: Int
    /// Raw text bytes (prompt + response, without EOS).
    public var bytes: Int
    /// Tokens, EOS included.
    public var tokens: Int
    public var trainedTokens: Int
    /// Text bytes per non-EOS token: the tokenizer's compression on this data.
    public var bytesPerToken: Double

    /// Encodes `examples` and measures them.
    public init(examples: [Example], tokenizer: BPETokenizer) throws {
        let encoded = try DatasetEncoder.encode(examples, tokenizer: tokenizer)
        let eosCount = examples.filter(\.appendEOS).count
        documents = encoded.documentCount
        bytes = examples.reduce(0) { $0 + $1.text.count }
        tokens = encoded.tokens.count
        trainedTokens = encoded.trainedTokenCount
        let textTokens = tokens - eosCount
        bytesPerToken = textTokens > 0 ? Double(bytes) / Double(textTokens) : 0
    }
}
