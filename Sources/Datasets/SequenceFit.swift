/// What happens to a document longer than a training window (`truncation`).
public enum Truncation: String, Sendable, Hashable, Codable, CaseIterable {
    /// Leave the document out (counted).
    case drop
    /// Keep its first window: the start of the prompt and as much of the response as fits. A document
    /// whose kept window holds no trained token (the prompt alone fills it) is dropped instead, since
    /// it would train nothing and a response must never be trained without its prompt in view.
    case truncate
    /// Cut it into consecutive windows, each trained on its own (Lathe before 0.x: a later window's
    /// response tokens can lose their instruction).
    case split
}

/// How a dataset's documents fit the training window, per policy: the figures a stage records.
public struct SequenceFitCounts: Sendable, Hashable, Codable {
    public var documents = 0
    /// Documents longer than the window.
    public var overLength = 0
    /// Documents left out (`drop`, or `truncate` with nothing trainable left).
    public var dropped = 0
    /// Documents cut to the window (`truncate`).
    public var truncated = 0
    /// Documents cut into several windows (`split`).
    public var split = 0

    public init() {}

    public static func + (a: Self, b: Self) -> Self {
        var out = a
        out.documents += b.documents
        out.overLength += b.overLength
        out.dropped += b.dropped
        out.truncated += b.truncated
        out.split += b.split
        return out
    }
}

extension EncodedDataset {
    /// The documents that fit a window of `sequenceLen` inputs (a document of up to `sequenceLen + 1`
    /// tokens: each token predicts the next), with the over-length ones handled per `policy`.
    /// `split` returns the dataset unchanged (the layout cuts it) and counts the documents it will cut.
    /// - Complexity: O(tokens).
    public func fitted(sequenceLen: Int, policy: Truncation) -> (EncodedDataset, SequenceFitCounts) {
        let window = max(1, sequenceLen) + 1
        var counts = SequenceFitCounts()
        counts.documents = documentCount
        var out = EncodedDataset()
        for d in 0..<documentCount {
            let (t, m) = document(d)
            guard t.count > window else {
                out.append(tokens: Array(t), mask: Array(m))
                continue
            }
            counts.overLength += 1
            switch policy {
            case .split:
                counts.split += 1
                out.append(tokens: Array(t), mask: Array(m))
            case .drop:
                counts.dropped += 1
            case .truncate:
                // The first token is never a target, so only mask entries 1..<window train anything.
                if m.dropFirst().prefix(window - 1).contains(1) {
                    counts.truncated += 1
                    out.append(tokens: Array(t.prefix(window)), mask: Array(m.prefix(window)))
                } else {
                    counts.dropped += 1
                }
            }
        }
        return (out, counts)
    }

    /// Document lengths in tokens, sorted ascending.
    public var documentLengths: [Int] {
        (0..<documentCount).map { documentOffsets[$0 + 1] - documentOffsets[$0] }.sorted()
    }
}

/// The length distribution of a dataset's documents against the window (`lathe tokens --lengths`,
/// `lathe validate --data`): percentiles and how many are over.
public struct LengthDistribution: Sendable, Hashable, Codable {
    public var documents: Int
    public var min: Int
    public var p50: Int
    public var p90: Int
    public var p99: Int
    public var max: Int
    /// Documents longer than `sequenceLen + 1` tokens.
    public var overLength: Int
    /// Documents whose untrained prefix (the prompt) alone is at least `sequenceLen` tokens: `truncate`
    /// would keep nothing to train.
    public var promptFillsWindow: Int
    public var sequenceLen: Int

    /// Measures `dataset` against `sequenceLen`. O(tokens + documents · log documents).
    public init(_ dataset: EncodedDataset, sequenceLen: Int) {
        let lengths = dataset.documentLengths
        func pct(_ p: Double) -> Int { lengths.isEmpty ? 0 : lengths[Swift.min(lengths.count - 1, Int((Double(lengths.count - 1) * p).rounded()))] }
        documents = lengths.count
        min = lengths.first ?? 0
        max = lengths.last ?? 0
        p50 = pct(0.5)
        p90 = pct(0.9)
        p99 = pct(0.99)
        self.sequenceLen = sequenceLen
        overLength = lengths.filter { $0 > sequenceLen + 1 }.count
        promptFillsWindow = (0..<dataset.documentCount).filter { d in
            let m = dataset.document(d).mask
            return !m.dropFirst().prefix(sequenceLen).contains(1)
        }.count
    }

    /// One line: `N documents, tokens min/p50/p90/p99/max a/b/c/d/e; K over sequence_len S (P with the prompt alone filling it)`.
    public var summary: String {
        "\(documents) documents, tokens min/p50/p90/p99/max \(min)/\(p50)/\(p90)/\(p99)/\(max); \(overLength) longer than "
            + "sequence_len \(sequenceLen) (+1), \(promptFillsWindow) with no trained token inside the window"
    }
}
