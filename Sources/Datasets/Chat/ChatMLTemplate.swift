/// ChatML (`<|im_start|>role\n…<|im_end|>\n`): Qwen, SmolLM, OpenHermes and many others. SmolLM2's own
/// template is this family with a default system message inserted when the conversation has none.
public struct ChatMLTemplate: ChatTemplateFamily {
    public let name = "chatml"
    /// The system message rendered first when `messages[0]` is not a system message (SmolLM2:
    /// "You are a helpful AI assistant named SmolLM, trained by Hugging Face"); nil renders none.
    public var defaultSystem: String?

    public init(defaultSystem: String? = nil) { self.defaultSystem = defaultSystem }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> RenderedChat {
        var out = RenderedChat()
        if let defaultSystem, let first = messages.first, first.role != .system {
            out.plain("<|im_start|>system\n" + defaultSystem + "<|im_end|>\n")
        }
        for (i, m) in messages.enumerated() {
            out.message(i, m.role, header: "<|im_start|>\(m.role.rawValue)\n", body: m.content, end: "<|im_end|>", trailer: "\n")
        }
        if addGenerationPrompt { out.plain("<|im_start|>assistant\n") }
        return out
    }
}
