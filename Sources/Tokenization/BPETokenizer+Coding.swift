import Dispatch

extension BPETokenizer {
    /// The ids of `text`. Added tokens in the text (`<|endoftext|>`) are encoded as plain text
    /// unless `allowAddedTokens` is set, in which case they become their ids (HF `encode` behavior
    /// with `add_special_tokens=False`).
    public func encode(_ text: String, allowAddedTokens: Bool = false) -> [Int] {
        encode(text, allowAddedTokens: allowAddedTokens, addSpecialTokens: false)
    }

    /// The ids of `text`; `addSpecialTokens` adds the post-processor template's ids (Llama 2's
    /// `<s>`): `encode(t, allowAddedTokens: true, addSpecialTokens: true)` is HF's `encode(t)`.
    public func encode(_ text: String, allowAddedTokens: Bool = false, addSpecialTokens: Bool) -> [Int] {
        var encoder = BPEEncoder(self)
        var out: [UInt32] = []
        encoder.encode(text, allowAddedTokens: allowAddedTokens, addSpecialTokens: addSpecialTokens, into: &out)
        return out.map(Int.init)
    }

    /// The ids of arbitrary bytes; with a byte-level pipeline, invalid UTF-8 is tokenized bytewise
    /// and decodes back exactly.
    public func encode(bytes: [UInt8], allowAddedTokens: Bool = false) -> [Int] {
        encode(bytes: bytes, allowAddedTokens: allowAddedTokens, addSpecialTokens: false)
    }

    /// The ids of arbitrary bytes, with the post-processor's template when `addSpecialTokens`.
    public func encode(bytes: [UInt8], allowAddedTokens: Bool = false, addSpecialTokens: Bool) -> [Int] {
        var encoder = BPEEncoder(self)
        var out: [UInt32] = []
        bytes.withUnsafeBufferPointer {
            encoder.encode(bytes: $0, allowAddedTokens: allowAddedTokens, addSpecialTokens: addSpecialTokens, into: &out)
        }
        return out.map(Int.init)
    }

    /// Encodes many texts on `threads` threads (each with its own cache); results are in input order
    /// and identical for any thread count.
    public func encodeBatch(_ texts: [[UInt8]], threads: Int = 1) -> [[UInt32]] {
        var results = [[UInt32]](repeating: [], count: texts.count)
        let workers = max(1, min(threads, texts.count))
        results.withUnsafeMutableBufferPointer { buffer in
            let slots = UnsafeSendable(buffer)
            let work: @Sendable (Int) -> Void = { w in
                var encoder = BPEEncoder(self)
                // Interleaved assignment balances chunks of different sizes.
                var i = w
                while i < texts.count {
                    var out: [UInt32] = []
                    out.reserveCapacity(texts[i].count / 3)
                    texts[i].withUnsafeBufferPointer { encoder.encode(bytes: $0, into: &out) }
                    // Safe because each index is written by exactly one worker.
                    slots.value[i] = out
                    i += workers
                }
            }
            if workers == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: work) }
        }
        return results
    }

    /// The bytes of `ids` concatenated. Ids outside the vocabulary are skipped; added tokens are
    /// dropped when `skipSpecialTokens` is set and they are `special`.
    /// Non-GPT-2 pipelines apply their decoder (Llama 2's drops the `▁` the normalizer put first).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count * 4)
        let skip = skipSpecialTokens ? Set(addedTokens.filter(\.special).map(\.id)) : []
        var first = !isGPT2 && pipeline.decoder.firstTokenDiffers
        for id in ids where id >= 0 && id < tokenBytes.count && !skip.contains(id) {
            if first {
                out.append(contentsOf: pipeline.decoder.decode(token: tokenStrings[id], first: true))
                first = false
            } else {
                out.append(contentsOf: tokenBytes[id])
            }
        }
        if !isGPT2, let strip = pipeline.decoder.wholeStrip {
            out = TokenDecoder.strip(out, strip.content, start: strip.start, stop: strip.stop)
        }
        return out
    }

    /// The text of `ids`, decoded as UTF-8 all at once (a character split across tokens still
    /// decodes; invalid sequences become U+FFFD, like HF's lossy decoder).
    public func decodeText(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        String(decoding: decode(ids, skipSpecialTokens: skipSpecialTokens), as: UTF8.self)
    }

    /// The string of token `id` as it appears in tokenizer.json (`Ġthe`, `▁the`, `<0x41>`).
    public func tokenString(_ id: Int) -> String {
        if !tokenStrings.isEmpty { return tokenStrings[id] }
        if let t = addedTokens.first(where: { $0.id == id }) { return t.content }
        return ByteLevel.encode(tokenBytes[id])
    }
}

/// Lets a buffer pointer cross into `concurrentPerform`; callers guarantee disjoint writes.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
