/// Llama 3 (Meta-Llama-3-8B-Instruct's template): `<|begin_of_text|>` once, then
/// `<|start_header_id|>role<|end_header_id|>\n\n` + trimmed content + `<|eot_id|>` per message.
public struct Llama3ChatTemplate: ChatTemplateFamily {
    public let name = "llama3"
    public var bosToken: String

    public init(bosToken: String = "<|begin_of_text|>") { self.bosToken = bosToken }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> RenderedChat {
        var out = RenderedChat()
        if !messages.isEmpty { out.plain(bosToken) }
        for (i, m) in messages.enumerated() {
            out.message(i, m.role, header: "<|start_header_id|>\(m.role.rawValue)<|end_header_id|>\n\n",
                        body: pythonStrip(m.content), end: "<|eot_id|>")
        }
        if addGenerationPrompt { out.plain("<|start_header_id|>assistant<|end_header_id|>\n\n") }
        return out
    }
}
