/// One training example before tokenization: text segments, each trained or masked, plus where it
/// came from (for error messages and `lathe tokens`).
public struct Example: Sendable, Hashable {
    /// A piece of text (raw bytes, so invalid UTF-8 in `.txt` data survives) and whether its tokens
    /// carry loss.
    public struct Segment: Sendable, Hashable {
        public var bytes: [UInt8]
        public var trained: Bool
        /// Special tokens written in the text (`<|im_start|>`) encode as their ids: set for text a chat
        /// template rendered, as `apply_chat_template` tokenizes it; off for raw data.
        public var parsesSpecialTokens = false
        /// The conversation turn (message index) and role this text belongs to, for `lathe tokens`;
        /// nil outside conversations.
        public var turn: Int?
        public var role: ChatRole?
        public init(_ text: String, trained: Bool) {
            self.bytes = Array(text.utf8)
            self.trained = trained
        }
        public init(bytes: [UInt8], trained: Bool) {
            self.bytes = bytes
            self.trained = trained
        }
    }

    /// Segments, tokenized separately and concatenated (recipes.md §4e: never tokenize the joined
    /// string and count prompt tokens).
    public var segments: [Segment]
    /// Pre-tokenized ids (`tokenized` datasets) with their mask; used instead of `segments`.
    public var tokens: [UInt32]?
    public var tokenMask: [UInt8]?
    /// Append the end-of-text token after the segments.
    public var appendEOS: Bool
    /// Whether that EOS carries loss.
    public var trainEOS: Bool
    /// `file:line` (or `file#record`) the example came from.
    public var source: String

    public init(segments: [Segment], appendEOS: Bool = true, trainEOS: Bool = true, source: String) {
        self.segments = segments
        self.appendEOS = appendEOS
        self.trainEOS = trainEOS
        self.source = source
    }

    public init(tokens: [UInt32], mask: [UInt8], source: String) {
        self.segments = []
        self.tokens = tokens
        self.tokenMask = mask
        self.appendEOS = false
        self.trainEOS = false
        self.source = source
    }

    /// The example's full text (prompt + response), e.g. for training a tokenizer on it.
    public var text: [UInt8] { segments.flatMap(\.bytes) }
}
