/// Encoding through a non-GPT-2 ``TokenizerPipeline``, in HF's order: added tokens in the raw text,
/// normalizers on each stretch between them, added tokens in the normalized stretch, pre-tokenizers,
/// then the BPE model on each pre-token (bytes or characters, with byte fallback and `unk`).
extension BPEEncoder {
    /// Appends the ids of `bytes`; added tokens are matched when `allowAddedTokens` is set.
    mutating func encodeGeneral(_ bytes: UnsafeBufferPointer<UInt8>, allowAddedTokens: Bool, into out: inout [UInt32]) {
        guard allowAddedTokens, !tokenizer.rawAdded.isEmpty else {
            encodeStretch(bytes, atTextStart: true, allowAddedTokens: allowAddedTokens, into: &out)
            return
        }
        let matcher = tokenizer.rawAdded
        matcher.split(bytes) { start, end in
            encodeStretch(UnsafeBufferPointer(rebasing: bytes[start..<end]), atTextStart: start == 0, allowAddedTokens: true, into: &out)
        } token: { id in
            out.append(id)
        }
    }

    /// Normalizes one stretch of text between added tokens and encodes it.
    mutating func encodeStretch(_ text: UnsafeBufferPointer<UInt8>, atTextStart: Bool, allowAddedTokens: Bool, into out: inout [UInt32]) {
        let steps = tokenizer.pipeline.normalizers
        guard !steps.isEmpty || (allowAddedTokens && !tokenizer.normalizedAdded.isEmpty) else {
            encodePreTokens(text, atTextStart: atTextStart, into: &out)
            return
        }
        var normalized = normalizedBuffer
        normalizedBuffer = []
        defer { normalizedBuffer = normalized }
        Normalizer.apply(steps, to: text, into: &normalized, scratch: &normalizerScratch)
        normalized.withUnsafeBufferPointer { p in
            guard allowAddedTokens, !tokenizer.normalizedAdded.isEmpty else {
                encodePreTokens(p, atTextStart: atTextStart, into: &out)
                return
            }
            let matcher = tokenizer.normalizedAdded
            matcher.split(p) { start, end in
                encodePreTokens(UnsafeBufferPointer(rebasing: p[start..<end]), atTextStart: atTextStart && start == 0, into: &out)
            } token: { id in
                out.append(id)
            }
        }
    }

    /// Pre-tokenizes normalized text and encodes each pre-token.
    mutating func encodePreTokens(_ text: UnsafeBufferPointer<UInt8>, atTextStart: Bool, into out: inout [UInt32]) {
        guard !text.isEmpty else { return }
        var pre = preTokenization
        preTokenization = PreTokenization()
        defer { preTokenization = pre }
        pre.run(tokenizer.pipeline.preTokenizer, on: text, atTextStart: atTextStart)
        pre.buffer.withUnsafeBufferPointer { p in
            var k = 0
            while k < pre.ranges.count {
                encodeWord(p.baseAddress! + pre.ranges[k], pre.ranges[k + 1] - pre.ranges[k], into: &out)
                k += 2
            }
        }
    }

    /// Character-level models: the initial symbols of a pre-token, as HF's BPE `merge_word` makes
    /// them. A character not in the vocabulary becomes its `<0xHH>` byte tokens (byte fallback, when
    /// all exist), else `unk` (consecutive ones fused with `fuse_unk`), else nothing.
    mutating func characterSymbols(_ p: UnsafePointer<UInt8>, _ len: Int) {
        let buffer = UnsafeBufferPointer(start: p, count: len)
        let fallback = tokenizer.pipeline.byteFallback
        let unk = tokenizer.unkId
        let fuse = tokenizer.pipeline.fuseUnk
        var pendingUnk = false
        var i = 0
        while i < len {
            let (value, l) = Self.scalar(buffer, at: i)
            if let value, let id = tokenizer.charIds[value] {
                if pendingUnk, let unk { symbols.append(unk) }
                pendingUnk = false
                symbols.append(id)
                i += l
                continue
            }
            if fallback && (i..<(i + l)).allSatisfy({ tokenizer.fallbackIds[Int(buffer[$0])] != .max }) {
                // As in HF, a pending unk is not flushed here: it lands after these bytes.
                for k in i..<(i + l) { symbols.append(tokenizer.fallbackIds[Int(buffer[k])]) }
                i += l
                continue
            }
            if let unk {
                if pendingUnk && !fuse { symbols.append(unk) }
                pendingUnk = true
            }
            i += l
        }
        if pendingUnk, let unk { symbols.append(unk) }
    }

    /// Byte-level models whose vocabulary lacks some bytes: as ``characterSymbols(_:_:)`` with each
    /// byte as one character (HF sees the byte's GPT-2 character): a missing byte becomes its
    /// `<0xHH>` token with byte fallback, else `unk`, else nothing.
    mutating func byteSymbols(_ p: UnsafePointer<UInt8>, _ len: Int) {
        let fallback = tokenizer.pipeline.byteFallback
        let unk = tokenizer.unkId
        let fuse = tokenizer.pipeline.fuseUnk
        var pendingUnk = false
        for i in 0..<len {
            let b = Int(p[i])
            let id = tokenizer.byteIds[b]
            if id != .max {
                if pendingUnk, let unk { symbols.append(unk) }
                pendingUnk = false
                symbols.append(id)
            } else if fallback && tokenizer.fallbackIds[b] != .max {
                symbols.append(tokenizer.fallbackIds[b])
            } else if unk != nil {
                if pendingUnk && !fuse { symbols.append(unk!) }
                pendingUnk = true
            }
        }
        if pendingUnk, let unk { symbols.append(unk) }
    }

    /// The scalar value and byte length at `i`; an invalid UTF-8 byte is (nil, 1).
    static func scalar(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32?, Int) {
        let b0 = UInt32(p[i])
        if b0 < 0x80 { return (b0, 1) }
        var value: UInt32
        var len: Int
        var minValue: UInt32
        if b0 & 0xE0 == 0xC0 { value = b0 & 0x1F; len = 2; minValue = 0x80 }
        else if b0 & 0xF0 == 0xE0 { value = b0 & 0x0F; len = 3; minValue = 0x800 }
        else if b0 & 0xF8 == 0xF0 { value = b0 & 0x07; len = 4; minValue = 0x10000 }
        else { return (nil, 1) }
        if i + len > p.count { return (nil, 1) }
        for k in 1..<len {
            let b = UInt32(p[i + k])
            if b & 0xC0 != 0x80 { return (nil, 1) }
            value = (value << 6) | (b & 0x3F)
        }
        guard value >= minValue, Unicode.Scalar(value) != nil else { return (nil, 1) }
        return (value, len)
    }
}
