/// Phi-3 (Phi-3-mini-4k-instruct's template): `<|role|>\n` + content + `<|end|>\n` per message, then
/// `<|assistant|>\n` with a generation prompt or the EOS token (`<|endoftext|>`) without one.
public struct Phi3ChatTemplate: ChatTemplateFamily {
    public let name = "phi3"
    public var eosToken: String

    public init(eosToken: String = "<|endoftext|>") { self.eosToken = eosToken }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> RenderedChat {
        var out = RenderedChat()
        for (i, m) in messages.enumerated() {
            out.message(i, m.role, header: "<|\(m.role.rawValue)|>\n", body: m.content, end: "<|end|>", trailer: "\n")
        }
        out.plain(addGenerationPrompt ? "<|assistant|>\n" : eosToken)
        return out
    }
}
