/// Mistral Instruct (v0.1/v0.2 template with an optional system message): `<s>`, then
/// ` [INST] ` + (system + `\n\n` on the first user turn) + user + ` [/INST]`, and ` ` + assistant + `</s>`.
/// The prompt already ends where the reply starts, so `add_generation_prompt` adds nothing.
public struct MistralChatTemplate: ChatTemplateFamily {
    public let name = "mistral"
    public var bosToken: String
    public var eosToken: String

    public init(bosToken: String = "<s>", eosToken: String = "</s>") {
        self.bosToken = bosToken
        self.eosToken = eosToken
    }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> RenderedChat {
        var out = RenderedChat()
        out.plain(bosToken)
        let hasSystem = messages.first?.role == .system
        var firstUser = true
        for (i, m) in messages.enumerated() where !(i == 0 && hasSystem) {
            switch m.role {
            case .user:
                out.message(i, .user, header: " [INST] ", body: "", end: "")
                if firstUser && hasSystem {
                    out.segments.append(.init(messages[0].content + "\n\n", message: 0, role: .system))
                }
                out.message(i, .user, header: m.content + " [/INST]", body: "", end: "")
                firstUser = false
            case .assistant:
                out.message(i, .assistant, header: " ", body: m.content, end: eosToken)
            case .system:
                out.message(i, .system, header: m.content, body: "", end: "")
            }
        }
        return out
    }
}
