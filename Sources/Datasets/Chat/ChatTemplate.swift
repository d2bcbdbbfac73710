/// A chosen chat template with the tokens it needs, as a value a dataset spec (and so the
/// encoded-dataset cache key) can hold. ``family`` does the rendering.
public enum ChatTemplate: Sendable, Hashable, Codable {
    case chatml(defaultSystem: String?)
    case llama3(bosToken: String)
    case mistral(bosToken: String, eosToken: String)
    case gemma(bosToken: String)
    case phi3(eosToken: String)
    case alpaca(eosToken: String)

    /// The renderer.
    public var family: any ChatTemplateFamily {
        switch self {
        case let .chatml(system): ChatMLTemplate(defaultSystem: system)
        case let .llama3(bos): Llama3ChatTemplate(bosToken: bos)
        case let .mistral(bos, eos): MistralChatTemplate(bosToken: bos, eosToken: eos)
        case let .gemma(bos): GemmaChatTemplate(bosToken: bos)
        case let .phi3(eos): Phi3ChatTemplate(eosToken: eos)
        case let .alpaca(eos): AlpacaChatTemplate(eosToken: eos)
        }
    }

    /// The token that ends an assistant turn (what generation stops at): `<|im_end|>`, `<|eot_id|>`,
    /// `<end_of_turn>`, `<|end|>`, or the EOS token for mistral and alpaca.
    public var endOfTurn: String {
        switch self {
        case .chatml: "<|im_end|>"
        case .llama3: "<|eot_id|>"
        case let .mistral(_, eos): eos
        case .gemma: "<end_of_turn>"
        case .phi3: "<|end|>"
        case let .alpaca(eos): eos
        }
    }

    /// The recipe name of the family.
    public var name: String { family.name }

    /// Renders `messages` (see ``ChatTemplateFamily/render(_:addGenerationPrompt:)``).
    public func render(_ messages: [ChatMessage], addGenerationPrompt: Bool) -> RenderedChat {
        family.render(messages, addGenerationPrompt: addGenerationPrompt)
    }
}
