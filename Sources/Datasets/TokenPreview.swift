import Foundation
public import Tokenization

/// Text rendering for `lathe tokens`: each example's tokens, grouped into runs that carry loss or
/// not, so a reader can see exactly where the prompt mask ends.
///
///     example 1 (alpaca.json#1): 57 tokens, 14 trained
///       masked  | Below| is| an| instruction| ...|:Ċ|
///       trained | The| sky| is| blue|.|<|endoftext|>|
public enum TokenPreview {
    /// Renders document `d` of `dataset`. Tokens show in byte-level form (`Ġ` = space, `Ċ` = newline),
    /// as in tokenizer.json; `showIds` adds each id.
    public static func render(_ dataset: EncodedDataset, document d: Int, tokenizer: BPETokenizer, title: String, showIds: Bool = false) -> String {
        let (tokens, mask) = dataset.document(d)
        let trained = mask.reduce(0) { $0 + Int($1) }
        var out = "\(title): \(tokens.count) tokens, \(trained) trained\n"
        var i = tokens.startIndex
        while i < tokens.endIndex {
            let flag = mask[i]
            var line = flag == 1 ? "  trained |" : "  masked  |"
            while i < tokens.endIndex && mask[i] == flag {
                let id = Int(tokens[i])
                let text = id < tokenizer.vocabSize ? tokenizer.tokenString(id) : "<unk:\(id)>"
                line += showIds ? "\(text)(\(id))|" : "\(text)|"
                i += 1
            }
            out += line + "\n"
        }
        return out
    }

    /// Renders one example segment by segment, so a conversation shows each turn's role and whether its
    /// tokens carry loss (the tokens are the ones training uses: segments are encoded separately, as
    /// ``DatasetEncoder`` does).
    ///
    ///     example 1 (chat.jsonl:1): 31 tokens, 9 trained
    ///       turn 1 user      masked  |<|im_start|>|user|Ċ|What|…|<|im_end|>|Ċ|
    ///       turn 2 assistant masked  |<|im_start|>|assistant|Ċ|
    ///       turn 2 assistant trained |Keys| and| hashes|.|<|im_end|>|
    public static func render(_ example: Example, tokenizer: BPETokenizer, title: String, showIds: Bool = false) -> String {
        var encoder = BPEEncoder(tokenizer)
        var lines: [String] = []
        var total = 0, trained = 0
        var current: (key: String, line: String)?
        for segment in example.segments {
            var ids: [UInt32] = []
            segment.bytes.withUnsafeBufferPointer { encoder.encode(bytes: $0, allowAddedTokens: segment.parsesSpecialTokens, into: &ids) }
            guard !ids.isEmpty else { continue }
            total += ids.count
            if segment.trained { trained += ids.count }
            let who = segment.turn.map { "turn \($0 + 1) \((segment.role?.rawValue ?? "").padding(toLength: 9, withPad: " ", startingAt: 0))" }
                ?? (example.segments.contains { $0.turn != nil } ? "template".padding(toLength: 19, withPad: " ", startingAt: 0) : "")
            let key = (who.isEmpty ? "" : who + " ") + (segment.trained ? "trained |" : "masked  |")
            let text = ids.map { id in
                let t = Int(id) < tokenizer.vocabSize ? tokenizer.tokenString(Int(id)) : "<unk:\(id)>"
                return showIds ? "\(t)(\(id))|" : "\(t)|"
            }.joined()
            if let c = current, c.key == key { current = (key, c.line + text) } else {
                if let c = current { lines.append(c.line) }
                current = (key, "  " + key + text)
            }
        }
        if example.appendEOS, let eos = tokenizer.endOfTextId {
            total += 1
            if example.trainEOS { trained += 1 }
            // joins the last line when it has the same mask (the response and its end of text read as one)
            let key = example.trainEOS ? "trained |" : "masked  |", text = tokenizer.tokenString(eos) + "|"
            if let c = current, c.key == key { current = (key, c.line + text) } else {
                if let c = current { lines.append(c.line) }
                current = (key, "  " + key + text)
            }
        }
        if let c = current { lines.append(c.line) }
        return "\(title): \(total) tokens, \(trained) trained\n" + lines.joined(separator: "\n") + "\n"
    }
}
