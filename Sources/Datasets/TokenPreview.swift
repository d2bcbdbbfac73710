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
}
