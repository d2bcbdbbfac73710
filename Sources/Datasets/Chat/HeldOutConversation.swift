import Foundation

/// One checked conversation of a test data set (`chat`, `sharegpt`, or an alpaca/dolly record as a
/// user turn and an assistant turn), scored the way a chat model is used: the messages before the last
/// assistant turn, rendered with the generation prompt, are the prompt; that turn's content is the
/// reference answer.
public struct HeldOutConversation: Sendable, Hashable {
    public var messages: [ChatMessage]
    /// `file:line` (or `file#record`) of the record.
    public var source: String

    public init(messages: [ChatMessage], source: String) {
        self.messages = messages
        self.source = source
    }

    /// Index of the last assistant message (a checked conversation has one).
    public var answerIndex: Int { messages.lastIndex { $0.role == .assistant } ?? messages.count - 1 }

    /// The reference answer: the last assistant message's content.
    public var reference: String { messages[answerIndex].content }

    /// The prompt as ``Example`` segments (none trained): the training rendering of the conversation
    /// up to where the last assistant turn's content starts, each piece tokenized on its own as
    /// training tokenizes it, special tokens encoded as their ids. This is the messages before that turn
    /// rendered with `add_generation_prompt` (what `apply_chat_template` sends a model), except for
    /// Mistral, whose template opens every reply with a space that training tokenizes as its own
    /// piece; the prompt keeps it, so the answer is generated after exactly the tokens training
    /// conditioned it on. O(text length).
    public func prompt(_ template: ChatTemplate) -> Example {
        let rendered = template.render(messages, addGenerationPrompt: false)
        let answer = answerIndex
        let end = rendered.segments.firstIndex { $0.message == answer && $0.isCompletion } ?? rendered.segments.count
        let segments = rendered.segments[..<end].map { s in
            var segment = Example.Segment(s.text, trained: false)
            segment.parsesSpecialTokens = true
            segment.turn = s.message
            segment.role = s.role
            return segment
        }
        return Example(segments: segments, appendEOS: false, trainEOS: false, source: source)
    }

    /// The prompt for a model's next reply to `messages` (which end on a user turn): see
    /// ``prompt(_:)``; `lathe sample --chat` and evaluate's samples use it.
    public static func replyPrompt(to messages: [ChatMessage], template: ChatTemplate) -> Example {
        HeldOutConversation(messages: messages + [ChatMessage(.assistant, "")], source: "prompt").prompt(template)
    }

    /// The whole conversation as training renders it, loss per `trainOn`.
    public func example(_ template: ChatTemplate, trainOn: TrainOn = .assistant) -> Example {
        DatasetReader.example(template.render(messages, addGenerationPrompt: false), trainOn: trainOn, source: source)
    }
}

extension DatasetReader {
    /// The checked conversations of a `chat`, `sharegpt`, `alpaca` or `dolly` spec, in file order (capped
    /// by `maxSamples`); an alpaca/dolly record is a user turn (instruction, a blank line, input) and an
    /// assistant turn (output), as training with a chat template renders it.
    /// - Throws: the ``DatasetError`` training would throw for the same record (missing fields, unknown
    ///   or out-of-order roles, empty content, no assistant turn), or for another data type.
    public static func heldOutConversations(_ spec: DatasetSpec) throws -> [HeldOutConversation] {
        guard [.chat, .sharegpt, .alpaca, .dolly].contains(spec.type) else {
            throw DatasetError.invalidSpec(path: spec.path.path, reason: "'\(spec.type.rawValue)' records are not conversations; use chat, sharegpt, alpaca or dolly data")
        }
        var out = try DatasetRecord.read(spec.path, spec).map { r in HeldOutConversation(messages: try conversation(spec, r), source: r.location) }
        if let cap = spec.maxSamples, out.count > cap { out.removeLast(out.count - cap) }
        guard !out.isEmpty else { throw DatasetError.empty(path: spec.path.path, reason: "no \(spec.type.rawValue) conversations found") }
        return out
    }
}
