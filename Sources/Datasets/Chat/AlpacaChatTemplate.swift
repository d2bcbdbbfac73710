/// Lathe's Alpaca prompt as a chat template: the system message (default: Alpaca's no-input preamble)
/// + `\n\n`, `### Instruction:\n` + user + `\n\n`, `### Response:\n` + assistant + EOS, turns after an
/// assistant reply separated by `\n\n`. A one-turn conversation renders exactly the `alpaca` prompt
/// plus response and EOS that `type: alpaca` records train on.
public struct AlpacaChatTemplate: ChatTemplateFamily {
    public let name = "alpaca"
    public var eosToken: String
    public static let defaultSystem = "Below is an instruction that describes a task. Write a response that appropriately completes the request."

    public init(eosToken: String = "<|endoftext|>") { self.eosToken = eosToken }

    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> RenderedChat {
        var out = RenderedChat()
        if let first = messages.first, first.role != .system { out.plain(Self.defaultSystem + "\n\n") }
        for (i, m) in messages.enumerated() {
            let last = i == messages.count - 1
            switch m.role {
            case .system: out.message(i, .system, header: m.content + "\n\n", body: "", end: "")
            case .user: out.message(i, .user, header: "### Instruction:\n" + m.content + "\n\n", body: "", end: "")
            case .assistant:
                out.message(i, .assistant, header: "### Response:\n", body: m.content, end: eosToken, trailer: last ? "" : "\n\n")
            }
        }
        if addGenerationPrompt { out.plain("### Response:\n") }
        return out
    }
}
