import Foundation
import Modeling
import Orchestration
import Recipes
import Tokenization
import Files

/// A classifier's tokenizer: byte-level BPE for decoders, WordPiece for encoders (whose texts get the
/// `[CLS] A [SEP] (B [SEP])` template and token type ids). The model folder's `tokenizer.json` decides.
enum ClassifierTokenizer {
    case bpe(BPETokenizer)
    /// The tokenizer and its file (copied beside the stage's model unchanged).
    case wordPiece(WordPieceTokenizer, file: URL)

    /// The tokenizer of the model `ref` names (`tokenizer:` wins when given): WordPiece when the folder's
    /// `tokenizer.json` has a WordPiece model, else BPE (`ModelInputs.tokenizer`).
    static func load(_ ref: FromRef, context: StageContext) throws -> ClassifierTokenizer {
        if let dir = try ModelInputs.directory(ref, context: context), let wp = try wordPiece(in: dir) { return wp }
        return .bpe(try ModelInputs.tokenizer(from: ref, context: context))
    }

    /// The WordPiece tokenizer of folder `dir`, or nil when its `tokenizer.json` is missing or not WordPiece.
    static func wordPiece(in dir: URL) throws -> ClassifierTokenizer? {
        let file = dir.appendingPathComponent("tokenizer.json")
        guard let data = try? Data(RegularFile.read(file.path)), WordPieceTokenizer.isWordPiece(data) else { return nil }
        return .wordPiece(try WordPieceTokenizer(tokenizerJSON: data, source: file.path), file: file)
    }

    /// The padding id (WordPiece's `padding` setting; 0 for BPE, whose rows need no pad).
    var padId: Int {
        switch self {
        case .bpe: 0
        case .wordPiece(let t, _): t.padId
        }
    }

    var vocabSize: Int {
        switch self {
        case .bpe(let t): t.vocabSize
        case .wordPiece(let t, _): t.vocabSize
        }
    }

    /// The ids of `text` (followed by `pair`), at most `limit` of them, with their token type ids (all 0
    /// for BPE) and whether anything was cut. WordPiece trims the longer of the two texts first, a token at
    /// a time (HF `truncation="longest_first"`), and keeps the template's `[CLS]`/`[SEP]`.
    func encode(_ text: String, pair: String?, limit: Int) -> (ids: [Int32], types: [Int32], cut: Bool) {
        switch self {
        case .bpe(let t):
            var ids = t.encode(text)
            if let pair { ids += t.encode(pair) }
            let cut = ids.count > limit
            if cut { ids.removeLast(ids.count - limit) }
            return (ids.map { Int32(truncatingIfNeeded: $0) }, [Int32](repeating: 0, count: ids.count), cut)
        case .wordPiece(let t, _):
            var a = t.encodeWithoutSpecials(text), b = pair.map(t.encodeWithoutSpecials)
            let budget = max(0, limit - t.template.addedCount(pair: b != nil))
            var cut = false
            while a.count + (b?.count ?? 0) > budget {
                cut = true
                if let n = b?.count, n > a.count || a.isEmpty { b!.removeLast() } else { a.removeLast() }
            }
            let e = t.template.apply(a, b)
            return (e.ids.map { Int32(truncatingIfNeeded: $0) }, e.typeIds.map { Int32(truncatingIfNeeded: $0) }, cut)
        }
    }

    /// Writes the tokenizer as `url` (`tokenizer.json`): BPE serialised, WordPiece copied byte for byte.
    func write(to url: URL) throws {
        switch self {
        case .bpe(let t): try t.write(to: url)
        case .wordPiece(_, let file):
            try? FileManager.default.removeItem(at: url)
            try FileManager.default.copyItem(at: file, to: url)
        }
    }
}
