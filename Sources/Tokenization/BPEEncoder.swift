/// Encodes text with a ``BPETokenizer``, caching each distinct pre-token's ids.
///
/// Natural text repeats its words, so after warm-up most pre-tokens are one hash lookup. An encoder
/// is not `Sendable`: give each thread its own (``BPETokenizer/encodeBatch(_:threads:)`` does).
///
/// - Complexity: O(n) per text plus, for each uncached pre-token of length m, O(m · passes)
///   merge-table lookups (one pass per distinct merge applied).
public struct BPEEncoder {
    public let tokenizer: BPETokenizer
    var cache = ByteTable(capacity: BPEEncoder.initialCacheCapacity)
    var cachedIds: [UInt32] = []
    var symbols: [UInt32] = []
    /// Scratch for non-GPT-2 pipelines (reused so steady-state encoding does not allocate).
    var preTokenization = PreTokenization()
    var normalizedBuffer: [UInt8] = []
    var normalizerScratch: [UInt8] = []

    /// Symbol runs longer than this are merged with a heap (``mergeLong()``).
    static let longWord = 96
    /// Pre-tokens longer than this are encoded but not cached (keeps the cache for real words).
    static let maxCachedLength = 64
    /// The cache starts this small and doubles as it fills: a one-shot `encode` (a chat turn, a prompt)
    /// makes a fresh encoder, and zeroing a 16K-word table (768 KiB) for it cost more than the encoding.
    static let initialCacheCapacity = 256
    /// The cache is dropped and rebuilt once it holds this many distinct pre-tokens.
    static let maxCachedWords = 1 << 20

    public init(_ tokenizer: BPETokenizer) {
        self.tokenizer = tokenizer
    }

    /// Appends the ids of `text` to `out`. Added tokens in the text are encoded as ordinary text
    /// unless `allowAddedTokens` is set (then `<|endoftext|>` in the text becomes its id, as in HF).
    public mutating func encode(_ text: String, allowAddedTokens: Bool = false, into out: inout [UInt32]) {
        encode(text, allowAddedTokens: allowAddedTokens, addSpecialTokens: false, into: &out)
    }

    /// As ``encode(_:allowAddedTokens:into:)``; `addSpecialTokens` wraps the ids in the
    /// post-processor's template (Llama 2's `<s>`), like HF `encode(text, add_special_tokens=True)`.
    public mutating func encode(_ text: String, allowAddedTokens: Bool = false, addSpecialTokens: Bool, into out: inout [UInt32]) {
        var text = text
        text.withUTF8 { encode(bytes: $0, allowAddedTokens: allowAddedTokens, addSpecialTokens: addSpecialTokens, into: &out) }
    }

    /// Appends the ids of arbitrary bytes (invalid UTF-8 is handled bytewise) to `out`.
    public mutating func encode(bytes: UnsafeBufferPointer<UInt8>, allowAddedTokens: Bool = false, into out: inout [UInt32]) {
        encode(bytes: bytes, allowAddedTokens: allowAddedTokens, addSpecialTokens: false, into: &out)
    }

    /// As ``encode(bytes:allowAddedTokens:into:)``, with the template when `addSpecialTokens`.
    public mutating func encode(
        bytes: UnsafeBufferPointer<UInt8>, allowAddedTokens: Bool = false, addSpecialTokens: Bool, into out: inout [UInt32]
    ) {
        let template = addSpecialTokens ? tokenizer.pipeline.template : nil
        if let template { out.append(contentsOf: template.prefix.map { UInt32($0) }) }
        defer { if let template { out.append(contentsOf: template.suffix.map { UInt32($0) }) } }
        guard tokenizer.isGPT2 else {
            encodeGeneral(bytes, allowAddedTokens: allowAddedTokens, into: &out)
            return
        }
        guard allowAddedTokens, !tokenizer.addedTokens.isEmpty else {
            encodeOrdinary(bytes, into: &out)
            return
        }
        var start = 0
        var i = 0
        while i < bytes.count {
            if let (id, length) = addedToken(at: i, in: bytes) {
                encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[start..<i]), into: &out)
                out.append(UInt32(id))
                i += length
                start = i
            } else {
                i += 1
            }
        }
        encodeOrdinary(UnsafeBufferPointer(rebasing: bytes[start..<bytes.count]), into: &out)
    }

    /// The longest added token starting at byte `i`, if any.
    func addedToken(at i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> (Int, Int)? {
        var best: (Int, Int)?
        for k in tokenizer.addedByFirstByte[Int(bytes[i])] {
            let t = tokenizer.addedTokens[k]
            let c = tokenizer.tokenBytes[t.id]
            guard !c.isEmpty, c.count > (best?.1 ?? 0), i + c.count <= bytes.count, bytes[i] == c[0] else { continue }
            if c.withUnsafeBufferPointer({ memoryEqual($0.baseAddress!, bytes.baseAddress! + i, c.count) }) {
                best = (t.id, c.count)
            }
        }
        return best
    }

    /// Pre-tokenizes and encodes text that holds no added tokens.
    mutating func encodeOrdinary(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let byteIds = tokenizer.byteIds
        PreTokenizer.split(bytes) { start, end in
            let len = end - start
            if len == 1 && byteIds[Int(bytes[start])] != .max {
                out.append(byteIds[Int(bytes[start])])
                return
            }
            encodeWord(base + start, len, into: &out)
        }
    }

    /// Encodes one pre-token, through the cache.
    mutating func encodeWord(_ p: UnsafePointer<UInt8>, _ len: Int, into out: inout [UInt32]) {
        guard len <= BPEEncoder.maxCachedLength else {
            mergeWord(p, len)
            out.append(contentsOf: symbols)
            return
        }
        let h = ByteTable.hash(p, len)
        let (slot, found) = cache.find(p, len, h)
        if found {
            let v = cache.values[slot]
            let start = Int(v >> 16)
            let count = Int(v & 0xFFFF)
            cachedIds.withUnsafeBufferPointer { ids in
                out.append(contentsOf: UnsafeBufferPointer(rebasing: ids[start..<(start + count)]))
            }
            return
        }
        mergeWord(p, len)
        out.append(contentsOf: symbols)
        if cache.count >= BPEEncoder.maxCachedWords {
            cache = ByteTable(capacity: BPEEncoder.initialCacheCapacity)
            cachedIds.removeAll(keepingCapacity: true)
            _ = cache.insert(at: cache.find(p, len, h).slot, p, len, h, value: UInt64(cachedIds.count) << 16 | UInt64(symbols.count))
        } else {
            _ = cache.insert(at: slot, p, len, h, value: UInt64(cachedIds.count) << 16 | UInt64(symbols.count))
        }
        cachedIds.append(contentsOf: symbols)
    }

    /// Applies the merges to one pre-token, leaving its ids in `symbols`.
    ///
    /// Each pass finds the lowest-ranked adjacent pair and merges all of its occurrences left to
    /// right. That equals HF's one-merge-at-a-time order: a merge creates only pairs involving the
    /// new token, so no new pair can share the rank being applied.
    mutating func mergeWord(_ p: UnsafePointer<UInt8>, _ len: Int) {
        symbols.removeAll(keepingCapacity: true)
        if tokenizer.ignoreMerges, let whole = tokenizer.wholeTokens[Array(UnsafeBufferPointer(start: p, count: len))] {
            symbols.append(whole)
            return
        }
        if tokenizer.missingBytes {
            byteSymbols(p, len)
        } else if tokenizer.byteMode {
            for i in 0..<len { symbols.append(tokenizer.byteIds[Int(p[i])]) }
        } else {
            characterSymbols(p, len)
        }
        let count = mergeSymbols()
        symbols.removeLast(symbols.count - count)
    }

    /// Applies the merges to `symbols` in place; returns how many remain. Long symbol runs (a
    /// SentencePiece-style tokenizer without pre-tokenizer sees whole lines) take the heap-based
    /// ``mergeLong()``, which is O(m log m) instead of O(m · passes).
    mutating func mergeSymbols() -> Int {
        if symbols.count > BPEEncoder.longWord { return mergeLong() }
        let table = tokenizer.mergeTable
        var count = symbols.count
        symbols.withUnsafeMutableBufferPointer { sym in
            while count > 1 {
                var best = UInt64.max
                var bestAt = 0
                for i in 0..<(count - 1) {
                    // Rank is in the high bits, so the smallest value is the lowest rank; `<`
                    // keeps the leftmost occurrence.
                    if let v = table.get(PairTable.key(sym[i], sym[i + 1])), v < best {
                        best = v
                        bestAt = i
                    }
                }
                if best == UInt64.max { break }
                let merged = UInt32(truncatingIfNeeded: best)
                let a = sym[bestAt]
                let b = sym[bestAt + 1]
                var w = bestAt
                var i = bestAt
                while i < count {
                    if i + 1 < count && sym[i] == a && sym[i + 1] == b {
                        sym[w] = merged
                        i += 2
                    } else {
                        sym[w] = sym[i]
                        i += 1
                    }
                    w += 1
                }
                count = w
            }
        }
        return count
    }
}
