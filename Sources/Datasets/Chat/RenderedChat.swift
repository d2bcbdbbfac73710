/// A conversation rendered by a chat template: the exact text, cut into pieces that each belong to
/// one message (or to none: BOS, a template's default system prompt, the generation prompt), so a loss
/// mask can be placed on token boundaries without re-parsing the text.
public struct RenderedChat: Sendable, Hashable {
    /// One contiguous piece of the rendered text.
    public struct Segment: Sendable, Hashable {
        public var text: String
        /// Index into the rendered `messages`, or nil for template text outside every message.
        public var message: Int?
        /// The role of `message` (nil with it).
        public var role: ChatRole?
        /// An assistant message's content and its end-of-turn token: the tokens `train_on: assistant` trains.
        public var isCompletion: Bool

        public init(_ text: String, message: Int? = nil, role: ChatRole? = nil, isCompletion: Bool = false) {
            self.text = text
            self.message = message
            self.role = role
            self.isCompletion = isCompletion
        }
    }

    public var segments: [Segment] = []

    public init(segments: [Segment] = []) { self.segments = segments }

    /// The whole rendered text (what `apply_chat_template(…, tokenize=False)` returns).
    public var text: String { segments.map(\.text).joined() }

    /// Appends template text that belongs to no message.
    mutating func plain(_ text: String) {
        if !text.isEmpty { segments.append(Segment(text)) }
    }

    /// Appends one message as header (prompt), body and end-of-turn (the completion for an assistant),
    /// and trailer (prompt), skipping empty pieces.
    mutating func message(_ index: Int, _ role: ChatRole, header: String, body: String, end: String, trailer: String = "") {
        let completion = role == .assistant
        if !header.isEmpty { segments.append(Segment(header, message: index, role: role)) }
        if !(body + end).isEmpty { segments.append(Segment(body + end, message: index, role: role, isCompletion: completion)) }
        if !trailer.isEmpty { segments.append(Segment(trailer, message: index, role: role)) }
    }
}

/// One chat-template family: renders a conversation exactly as the family's Jinja template does under
/// `transformers`' `apply_chat_template`.
///
/// Renderers assume a conversation that passes ``ChatMessage/problem(in:needsAssistant:)``; given
/// another they still render without failing, but the text may differ from the Jinja original (which
/// raises). Rendering is O(total text length).
public protocol ChatTemplateFamily: Sendable {
    /// The recipe name (`chatml`, `llama3`, …).
    var name: String { get }
    /// Renders `messages`; `addGenerationPrompt` appends the header that opens the assistant's turn.
    func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> RenderedChat
}

/// Python's `str.strip()` (Jinja's `trim` filter): drops leading and trailing whitespace as Python
/// counts it (Unicode White_Space plus the separators U+001C–U+001F).
func pythonStrip(_ s: String) -> String {
    func isSpace(_ c: Character) -> Bool {
        c.unicodeScalars.allSatisfy { $0.properties.isWhitespace || (0x1C...0x1F).contains($0.value) }
    }
    guard let first = s.firstIndex(where: { !isSpace($0) }), let last = s.lastIndex(where: { !isSpace($0) }) else { return "" }
    return String(s[first...last])
}
