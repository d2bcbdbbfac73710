/// Which hidden state a sequence classifier reads: a property of the model family, so the head, the
/// trainer and the stages never branch on the family.
public enum SequencePooling: Sendable, Hashable {
    /// Causal decoders: the final-norm hidden state of the last non-pad token (the only position that
    /// has seen the whole text), as transformers' `…ForSequenceClassification` of GPT-2 and Llama.
    case lastToken
    /// Encoders: the [CLS] position (the first), through the pooler (dense + tanh) and the classifier with
    /// its bias, as transformers' `BertForSequenceClassification`.
    case firstToken
}
