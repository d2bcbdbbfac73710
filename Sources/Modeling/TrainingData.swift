/// Training (or evaluation) data as fixed rows of T + 1 tokens: a row's first T tokens are the input and
/// its last T the next-token targets. Each token carries a loss flag (is it a label to predict? Axolotl's
/// labels ≠ −100) and a document id, so packed rows get per-document attention masks, positions that
/// restart at each document and no loss across a document boundary.
public struct TrainingData: Sendable, Hashable {
    /// T: positions per row fed to the model.
    public let sequenceLength: Int
    /// Token ids, `rowCount × (T + 1)`.
    public internal(set) var tokens: [Int32] = []
    /// 1 where the token is a training target, `rowCount × (T + 1)`.
    public internal(set) var lossMask: [UInt8] = []
    /// Document id per token within its row (−1 for padding), `rowCount × (T + 1)`.
    public private(set) var segments: [Int32] = []
    /// Sequence classification (``classification(texts:labels:sequenceLength:vocabSize:numLabels:)``): the
    /// class id of each row, its only target, at the row's pooled position. nil for language modelling.
    public private(set) var rowLabels: [Int32]?
    /// Classification: the pooled position of each row (its last text token, or the first for encoders).
    public private(set) var pooledPositions: [Int32]?
    /// Token type ids, `rowCount × (T + 1)` (text pairs for encoders); nil: all 0.
    public private(set) var tokenTypes: [Int32]?
    /// Masked-LM data (``maskedLM(windows:sequenceLength:vocabSize:special:)``): the original id of every
    /// token, `rowCount × (T + 1)`, which is the target of a position whose `lossMask` is 1 (the input
    /// `tokens` may be corrupted by ``withFixedMasks(_:seed:)``). nil for language modelling and classification.
    public internal(set) var maskedTargets: [Int32]?

    /// Number of rows.
    public var rowCount: Int { tokens.count / (sequenceLength + 1) }
    /// Number of (position, target) pairs that carry loss over all rows.
    public var targetCount: Int { (0..<rowCount).reduce(0) { $0 + targetsInRow($1) } }

    init(sequenceLength: Int) { self.sequenceLength = sequenceLength }

    /// Cuts a token stream into windows of T + 1 tokens with stride T (every transition is seen once;
    /// the tail shorter than a window is padded). `documentStarts` are stream indices where a new
    /// document begins (index 0 implied); `lossMask` (same length as `tokens`, 1 = train on this token)
    /// defaults to all ones.
    /// - Throws: `.invalidData` for ids outside `0..<vocabSize`, mismatched mask length, fewer than 2 tokens.
    public static func contiguous(
        tokens: [Int32], lossMask: [UInt8]? = nil, documentStarts: [Int] = [], sequenceLength: Int, vocabSize: Int
    ) throws(ModelingError) -> TrainingData {
        try check(tokens, vocabSize: vocabSize, sequenceLength: sequenceLength)
        if let lossMask, lossMask.count != tokens.count {
            throw .invalidData("the loss mask has \(lossMask.count) entries for \(tokens.count) tokens")
        }
        var doc = [Int32](repeating: 0, count: tokens.count)
        let starts = Set(documentStarts)
        var d: Int32 = 0
        for i in tokens.indices { if i > 0 && starts.contains(i) { d &+= 1 }; doc[i] = d }
        var data = TrainingData(sequenceLength: sequenceLength)
        let w = sequenceLength + 1
        var start = 0
        repeat {
            let end = min(start + w, tokens.count)
            data.appendRow(Array(tokens[start..<end]), lossMask.map { Array($0[start..<end]) } ?? [UInt8](repeating: 1, count: end - start),
                           Array(doc[start..<end]))
            start += sequenceLength
        } while start + 1 < tokens.count
        return data
    }

    /// Packs whole documents greedily, in order, into rows of T + 1 tokens (padding the rest of a row when
    /// the next document does not fit); a document longer than a row is split into windows of stride T.
    /// `lossMasks` (one per document, same lengths; 1 = train on this token) default to all ones.
    public static func packed(
        documents: [[Int32]], lossMasks: [[UInt8]]? = nil, sequenceLength: Int, vocabSize: Int
    ) throws(ModelingError) -> TrainingData {
        if let lossMasks, lossMasks.count != documents.count || zip(lossMasks, documents).contains(where: { $0.count != $1.count }) {
            throw .invalidData("every document needs a loss mask of the same length")
        }
        try check(documents.flatMap { $0 }, vocabSize: vocabSize, sequenceLength: sequenceLength)
        let w = sequenceLength + 1
        var data = TrainingData(sequenceLength: sequenceLength)
        var rowTokens: [Int32] = [], rowMask: [UInt8] = [], rowSeg: [Int32] = []
        func flush() {
            if !rowTokens.isEmpty { data.appendRow(rowTokens, rowMask, rowSeg) }
            rowTokens = []; rowMask = []; rowSeg = []
        }
        for (k, doc) in documents.enumerated() where !doc.isEmpty {
            let mask = lossMasks?[k] ?? [UInt8](repeating: 1, count: doc.count)
            if doc.count > w {
                flush()
                var s = 0
                repeat {
                    let e = min(s + w, doc.count)
                    data.appendRow(Array(doc[s..<e]), Array(mask[s..<e]), [Int32](repeating: 0, count: e - s))
                    s += sequenceLength
                } while s + 1 < doc.count
                continue
            }
            if rowTokens.count + doc.count > w { flush() }
            let id = Int32(rowSeg.last.map { $0 + 1 } ?? 0)
            rowTokens += doc; rowMask += mask; rowSeg += [Int32](repeating: id, count: doc.count)
        }
        flush()
        return data
    }

    /// One document per row, right-padded to T + 1 tokens (unpacked training, Axolotl's
    /// `sample_packing: false`): no row holds two documents, so a record is never split from its prompt
    /// nor cut at an arbitrary stream offset. Pads carry no loss and document id −1; a causal decoder's
    /// real positions attend only to earlier positions, so right padding needs no attention mask. A
    /// document longer than a row (possible only for text the caller chose to window) is split into
    /// windows of stride T, each its own row. `lossMasks` (one per document, same lengths) default to all ones.
    /// - Complexity: O(rows × T).
    public static func padded(
        documents: [[Int32]], lossMasks: [[UInt8]]? = nil, sequenceLength: Int, vocabSize: Int
    ) throws(ModelingError) -> TrainingData {
        if let lossMasks, lossMasks.count != documents.count || zip(lossMasks, documents).contains(where: { $0.count != $1.count }) {
            throw .invalidData("every document needs a loss mask of the same length")
        }
        try check(documents.flatMap { $0 }, vocabSize: vocabSize, sequenceLength: sequenceLength)
        var data = TrainingData(sequenceLength: sequenceLength)
        for (k, doc) in documents.enumerated() where doc.count >= 2 {
            let mask = lossMasks?[k] ?? [UInt8](repeating: 1, count: doc.count)
            var s = 0
            repeat {
                let e = min(s + sequenceLength + 1, doc.count)
                data.appendRow(Array(doc[s..<e]), Array(mask[s..<e]), [Int32](repeating: 0, count: e - s))
                s += sequenceLength
            } while s + 1 < doc.count
        }
        guard data.rowCount > 0 else { throw .invalidData("every document has fewer than 2 tokens; there is nothing to train on") }
        return data
    }

    /// The rows of `self` followed by those of `other` (same T; language-modelling data only).
    public func appending(_ other: TrainingData) -> TrainingData {
        precondition(other.sequenceLength == sequenceLength && rowLabels == nil && other.rowLabels == nil)
        var out = self
        out.tokens += other.tokens
        out.lossMask += other.lossMask
        out.segments += other.segments
        return out
    }

    /// One right-padded row per text for sequence classification: the row's only target is its class
    /// id, at its last token (``SequencePooling/lastToken``). Texts must already fit in T tokens.
    ///
    /// No attention mask is needed for the padding: it comes after the pooled token, and a causal
    /// decoder's position p attends to positions ≤ p only, so the pooled state never sees a pad (the
    /// pads' own states are computed and ignored). transformers gives GPT-2 and Llama the same result
    /// for a right-padded batch with its attention mask.
    /// - Throws: `.invalidData` for an empty or over-long text, a label outside `0..<numLabels`, ids
    ///   outside the vocabulary, or mismatched counts.
    ///
    /// `pooling` picks each row's target position (see ``SequencePooling``; encoders read the first
    /// token and mask the padding by its segment −1); `tokenTypes` (one list per text, same lengths) are
    /// the encoders' segment A/B ids of text pairs.
    public static func classification(
        texts: [[Int32]], labels: [Int], sequenceLength: Int, vocabSize: Int, numLabels: Int,
        pooling: SequencePooling = .lastToken, tokenTypes: [[Int32]]? = nil
    ) throws(ModelingError) -> TrainingData {
        guard texts.count == labels.count, !texts.isEmpty else {
            throw .invalidData("classification needs one label per text and at least one text (got \(texts.count) texts, \(labels.count) labels)")
        }
        guard sequenceLength >= 1 else { throw .invalidData("sequence_len must be at least 1, got \(sequenceLength)") }
        if let tokenTypes, tokenTypes.count != texts.count || zip(tokenTypes, texts).contains(where: { $0.count != $1.count }) {
            throw .invalidData("token type ids must be given for every text, one per token")
        }
        var data = TrainingData(sequenceLength: sequenceLength)
        var rowLabels: [Int32] = [], pooled: [Int32] = [], types: [Int32] = []
        for (i, (text, label)) in zip(texts, labels).enumerated() {
            guard !text.isEmpty, text.count <= sequenceLength else {
                throw .invalidData("text \(i + 1) has \(text.count) tokens; a classification row holds 1...\(sequenceLength)")
            }
            guard label >= 0, label < numLabels else { throw .invalidData("label id \(label) of text \(i + 1) is outside 0..<\(numLabels)") }
            if let bad = text.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
                throw .invalidData("token id \(bad) is outside the model's vocabulary of \(vocabSize); was the data tokenized with a different tokenizer?")
            }
            data.appendRow(text, [UInt8](repeating: 0, count: text.count), [Int32](repeating: 0, count: text.count))
            rowLabels.append(Int32(label))
            pooled.append(pooling == .firstToken ? 0 : Int32(text.count - 1))
            if let tokenTypes { types += tokenTypes[i] + [Int32](repeating: 0, count: sequenceLength + 1 - text.count) }
        }
        data.rowLabels = rowLabels
        data.pooledPositions = pooled
        data.tokenTypes = tokenTypes == nil ? nil : types
        return data
    }

    static func check(_ tokens: [Int32], vocabSize: Int, sequenceLength: Int) throws(ModelingError) {
        guard sequenceLength >= 1 else { throw .invalidData("sequence_len must be at least 1, got \(sequenceLength)") }
        guard tokens.count >= 2 else { throw .invalidData("need at least 2 tokens to train on, got \(tokens.count)") }
        if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabSize }) {
            throw .invalidData("token id \(bad) is outside the model's vocabulary of \(vocabSize); was the data tokenized with a different tokenizer?")
        }
    }

    /// Appends one row, padding to T + 1 with token 0, mask 0, document −1.
    mutating func appendRow(_ t: [Int32], _ m: [UInt8], _ s: [Int32]) {
        let pad = sequenceLength + 1 - t.count
        tokens += t + [Int32](repeating: 0, count: pad)
        lossMask += m + [UInt8](repeating: 0, count: pad)
        segments += s + [Int32](repeating: -1, count: pad)
    }

    /// Whether position p of row r predicts its next token (the target is a label of the same document).
    @inline(__always) func hasTarget(row r: Int, position p: Int) -> Bool {
        if let pooledPositions { return Int(pooledPositions[r]) == p }
        let i = r * (sequenceLength + 1) + p
        if maskedTargets != nil { return lossMask[i] != 0 && segments[i] >= 0 }
        return lossMask[i + 1] != 0 && segments[i] >= 0 && segments[i + 1] == segments[i]
    }

    func targetsInRow(_ r: Int) -> Int { (0..<sequenceLength).reduce(0) { $0 + (hasTarget(row: r, position: $1) ? 1 : 0) } }

    /// Writes row `r` into row `slot` of `batch` (tokens, positions restarting per document, segments,
    /// targets); weights are set to 1 where a target exists (the caller normalises).
    func fill(_ batch: inout TokenBatch, slot: Int, row r: Int) {
        let t = sequenceLength, src = r * (t + 1), dst = slot * t
        var pos: Int32 = 0
        for p in 0..<t {
            if p > 0 && segments[src + p] != segments[src + p - 1] { pos = 0 }
            batch.tokens[dst + p] = tokens[src + p]
            batch.positions[dst + p] = pos
            batch.segments[dst + p] = segments[src + p]
            batch.tokenTypes[dst + p] = tokenTypes?[src + p] ?? 0
            let has = hasTarget(row: r, position: p)
            batch.targets[dst + p] = has ? (rowLabels?[r] ?? maskedTargets?[src + p] ?? tokens[src + p + 1]) : -1
            batch.weights[dst + p] = has ? 1 : 0
            pos += 1
        }
    }
}
