/// One pre-tokenizer of a tokenizer.json `pre_tokenizer` tree. A `Sequence` is flattened into its
/// steps, applied in order to every piece the previous steps produced (as HF does).
public enum PreTokenizerStep: Hashable, Sendable {
    /// `ByteLevel`: with `addPrefixSpace`, a space is put before each piece that does not start
    /// with one; with `useRegex`, pieces are split by GPT-2's pattern (``PreTokenizer``). Its
    /// byte → character mapping is the model's business: a tokenizer with a ByteLevel step
    /// tokenizes bytes (see ``TokenizerPipeline/byteLevel``). Must be the last step.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// `Digits`: numbers (`\p{N}`) become their own pieces, one per digit when `individual`, else
    /// one per run.
    case digits(individual: Bool)
    /// `Split` with a known regex, behavior `Isolated`, `invert: false`.
    case split(SplitPattern)
    /// `Metaspace`: spaces become `replacement` (`▁`), which is prepended per `prependScheme`; with
    /// `split`, each `▁` starts a new piece.
    case metaspace(replacement: String, prependScheme: PrependScheme, split: Bool)

    /// Metaspace's `prepend_scheme`.
    public enum PrependScheme: String, Hashable, Sendable {
        /// Prepend to every piece that does not start with the replacement.
        case always
        /// Prepend only to the piece at the very start of the text.
        case first
        /// Never prepend.
        case never
    }
}

/// A piece of text being pre-tokenized: one byte buffer and the ranges that are its pieces.
///
/// Steps that only cut (Digits, Split, ByteLevel's regex, Metaspace's split) refine the ranges;
/// steps that change text (ByteLevel's prefix space, Metaspace's replacement) rebuild the buffer.
/// Reused across calls by ``BPEEncoder`` so steady-state encoding allocates nothing here.
///
/// - Complexity: O(n · steps) in the byte count.
struct PreTokenization {
    var buffer: [UInt8] = []
    /// Flat `(start, end)` pairs; empty ranges are never stored.
    var ranges: [Int] = []
    var scratch: [UInt8] = []
    var scratchRanges: [Int] = []

    /// Runs `steps` on `text`; `atTextStart` says the text begins at offset 0 of the input (for
    /// Metaspace's `first` scheme). Leaves the pieces in `buffer` / `ranges`.
    mutating func run(_ steps: [PreTokenizerStep], on text: UnsafeBufferPointer<UInt8>, atTextStart: Bool) {
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: text)
        ranges.removeAll(keepingCapacity: true)
        if !buffer.isEmpty { ranges.append(contentsOf: [0, buffer.count]) }
        for step in steps {
            switch step {
            case let .digits(individual):
                cut { p, s, e, emit in Self.digits(p, s, e, individual: individual, emit) }
            case let .split(pattern):
                cut { p, s, e, emit in pattern.split(p, s, e, emit) }
            case let .byteLevel(addPrefixSpace, useRegex):
                if addPrefixSpace { rebuild { piece, first, out in if piece.first != 0x20 { out.append(0x20) }; out.append(contentsOf: piece) } }
                if useRegex {
                    cut { p, s, e, emit in
                        PreTokenizer.split(UnsafeBufferPointer(rebasing: p[s..<e])) { a, b in emit(s + a, s + b) }
                    }
                }
            case let .metaspace(replacement, scheme, split):
                let rep = Array(replacement.utf8)
                rebuild { piece, first, out in
                    let starts = piece.first == 0x20 || (piece.count >= rep.count && rep.elementsEqual(piece.prefix(rep.count)))
                    if !starts && (scheme == .always || (scheme == .first && first && atTextStart)) { out.append(contentsOf: rep) }
                    for b in piece { if b == 0x20 { out.append(contentsOf: rep) } else { out.append(b) } }
                }
                if split, !rep.isEmpty {
                    cut { p, s, e, emit in Self.mergedWithNext(p, s, e, delimiter: rep, emit) }
                }
            }
        }
    }

    /// Replaces every range by the ranges `body` emits inside it (which must tile it).
    mutating func cut(_ body: (UnsafeBufferPointer<UInt8>, Int, Int, (Int, Int) -> Void) -> Void) {
        scratchRanges.removeAll(keepingCapacity: true)
        buffer.withUnsafeBufferPointer { p in
            var k = 0
            while k < ranges.count {
                body(p, ranges[k], ranges[k + 1]) { s, e in
                    if e > s { scratchRanges.append(s); scratchRanges.append(e) }
                }
                k += 2
            }
        }
        swap(&ranges, &scratchRanges)
    }

    /// Rewrites every piece with `body(piece, isFirstAtZero, out)`.
    mutating func rebuild(_ body: (ArraySlice<UInt8>, Bool, inout [UInt8]) -> Void) {
        scratch.removeAll(keepingCapacity: true)
        scratchRanges.removeAll(keepingCapacity: true)
        var k = 0
        while k < ranges.count {
            let s = ranges[k]
            let start = scratch.count
            body(buffer[s..<ranges[k + 1]], s == 0, &scratch)
            if scratch.count > start { scratchRanges.append(start); scratchRanges.append(scratch.count) }
            k += 2
        }
        swap(&buffer, &scratch)
        swap(&ranges, &scratchRanges)
    }

    /// HF `Digits`: numbers isolated, one per character when `individual`.
    static func digits(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, individual: Bool, _ emit: (Int, Int) -> Void) {
        var pieceStart = start
        var inNumber = false
        var i = start
        while i < end {
            let (c, l) = SplitPattern.classify(p, at: i, end: end)
            let isNumber = c == .number
            if isNumber {
                if !inNumber || individual {
                    if i > pieceStart { emit(pieceStart, i) }
                    pieceStart = i
                }
            } else if inNumber {
                emit(pieceStart, i)
                pieceStart = i
            }
            inNumber = isNumber
            i += l
        }
        if end > pieceStart { emit(pieceStart, end) }
    }

    /// Split behavior `MergedWithNext`: each delimiter begins a new piece.
    static func mergedWithNext(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int, delimiter d: [UInt8], _ emit: (Int, Int) -> Void) {
        var pieceStart = start
        var i = start
        while i + d.count <= end {
            var match = true
            for k in 0..<d.count where p[i + k] != d[k] { match = false; break }
            if match {
                if i > pieceStart { emit(pieceStart, i) }
                pieceStart = i
                i += d.count
            } else {
                i += 1
            }
        }
        if end > pieceStart { emit(pieceStart, end) }
    }
}
