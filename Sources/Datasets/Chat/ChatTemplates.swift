import Foundation

/// The chat templates a recipe can name, and recognition of a model's own Jinja template.
public enum ChatTemplates {
    /// Recipe names of the built-in families, plus `tokenizer` (the model's own template).
    public static let names = ["tokenizer", "chatml", "llama3", "mistral", "gemma", "phi3", "alpaca"]

    /// The built-in family called `name` (not `tokenizer`). `eosToken` is the tokenizer's end token,
    /// used by `alpaca`, which has no family token of its own.
    public static func named(_ name: String, eosToken: String = "<|endoftext|>") -> ChatTemplate? {
        switch name {
        case "chatml": .chatml(defaultSystem: nil)
        case "llama3": .llama3(bosToken: "<|begin_of_text|>")
        case "mistral": .mistral(bosToken: "<s>", eosToken: "</s>")
        case "gemma": .gemma(bosToken: "<bos>")
        case "phi3": .phi3(eosToken: "<|endoftext|>")
        case "alpaca": .alpaca(eosToken: eosToken)
        default: nil
        }
    }

    /// Features of a Jinja template whose output Lathe does not reproduce (tool calls, dates,
    /// multimodal content); a template that uses one is refused rather than rendered differently.
    static let unsupportedFeatures = ["tools", "strftime_now", "date_string", "Cutting Knowledge", "image", "reasoning_content"]

    /// Recognises a model's Jinja chat template by its markers, as llama.cpp's `llm_chat_detect_template`
    /// does, and returns the family that renders it. For ChatML the default system message a template
    /// inserts when the conversation has none (SmolLM2) is read from the template.
    /// - Parameters:
    ///   - bosToken, eosToken: the tokenizer's special tokens, which the template refers to by name.
    ///   - source: where the template came from (for the error).
    /// - Throws: ``DatasetError/unsupportedChatTemplate(source:reason:)`` when no family matches or the
    ///   template uses a feature Lathe does not render.
    public static func recognise(jinja: String, bosToken: String?, eosToken: String?, source: String) throws -> ChatTemplate {
        if let feature = unsupportedFeatures.first(where: { jinja.contains($0) }) {
            throw DatasetError.unsupportedChatTemplate(source: source, reason: "it uses '\(feature)', which Lathe does not render")
        }
        if jinja.contains("<|im_start|>") {
            return .chatml(defaultSystem: defaultChatMLSystem(jinja))
        }
        if jinja.contains("<|start_header_id|>") && jinja.contains("<|end_header_id|>") {
            return .llama3(bosToken: bosToken ?? "<|begin_of_text|>")
        }
        if jinja.contains("<start_of_turn>") {
            return .gemma(bosToken: bosToken ?? "<bos>")
        }
        if jinja.contains("<|assistant|>") && jinja.contains("<|end|>") {
            return .phi3(eosToken: eosToken ?? "<|endoftext|>")
        }
        if jinja.contains("' [INST] '") {
            return .mistral(bosToken: bosToken ?? "<s>", eosToken: eosToken ?? "</s>")
        }
        if jinja.contains("### Instruction:") && jinja.contains("### Response:") {
            return .alpaca(eosToken: eosToken ?? "<|endoftext|>")
        }
        throw DatasetError.unsupportedChatTemplate(source: source, reason: "its markers match none of the families Lathe renders")
    }

    /// The literal system text a ChatML template renders when `messages[0]` is not a system message:
    /// the template tests `messages[0]['role'] != 'system'` and holds a string literal
    /// `'<|im_start|>system\n…<|im_end|>'`. nil when it inserts none.
    static func defaultChatMLSystem(_ jinja: String) -> String? {
        let tests = ["messages[0]['role'] != 'system'", "messages[0][\"role\"] != \"system\"", "messages[0].role != 'system'"]
        guard tests.contains(where: jinja.contains) else { return nil }
        for opener in ["<|im_start|>system\n", "<|im_start|>system\\n"] {
            guard let start = jinja.range(of: opener), let end = jinja.range(of: "<|im_end|>", range: start.upperBound..<jinja.endIndex) else { continue }
            let literal = String(jinja[start.upperBound..<end.lowerBound])
            // Inside a Jinja literal only an escaped quote, backslash or newline can appear.
            guard !literal.contains("'"), !literal.contains("\"") || literal.contains("\\\"") else { continue }
            return literal.replacingOccurrences(of: "\\n", with: "\n").replacingOccurrences(of: "\\'", with: "'")
                .replacingOccurrences(of: "\\\"", with: "\"")
        }
        return nil
    }
}
