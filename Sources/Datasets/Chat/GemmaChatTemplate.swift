/// Gemma (Gemma 3's text template): `<bos>`, then `<start_of_turn>user|model\n` + trimmed content +
/// `<end_of_turn>\n`; a system message has no turn of its own and is prefixed, with `\n\n`, to the first
/// user turn.
public struct GemmaChatTemplate: ChatTemplateFamily {
    public let name = "gemma"
    public var bosToken: String

    public init(bosToken: String = "<bos>") { self.bosToken = bosToken }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> RenderedChat {
        var out = RenderedChat()
        out.plain(bosToken)
        let hasSystem = messages.first?.role == .system
        var first = true
        for (i, m) in messages.enumerated() where !(i == 0 && hasSystem) {
            let role = m.role == .assistant ? "model" : m.role.rawValue
            out.message(i, m.role, header: "<start_of_turn>\(role)\n", body: "", end: "")
            if first && hasSystem {
                out.segments.append(.init(messages[0].content + "\n\n", message: 0, role: .system))
            }
            first = false
            out.message(i, m.role, header: "", body: pythonStrip(m.content), end: "<end_of_turn>", trailer: "\n")
        }
        if addGenerationPrompt { out.plain("<start_of_turn>model\n") }
        return out
    }
}
