import Foundation
import JSONText

extension DatasetReader {
    /// Checks every record of `spec` (or its first ``DatasetSpec/recordLimit``) against its type without a
    /// tokenizer (`lathe validate`, and `lathe run` before anything runs): chat and sharegpt records without
    /// a template are checked for structure only. Returns the record count.
    /// - Throws: the ``DatasetError`` that reading for training would throw.
    public static func check(_ spec: DatasetSpec) throws -> Int {
        var s = spec
        if s.type.isConversation && s.chatTemplate == nil { s.chatTemplate = .chatml(defaultSystem: nil) }
        return try examples(s).count
    }

    /// Role spellings conversations may use: OpenAI's and ShareGPT's.
    static let roleNames: [String: ChatRole] = [
        "system": .system, "user": .user, "human": .user, "assistant": .assistant, "gpt": .assistant,
    ]

    /// `chat` and `sharegpt` records (and alpaca/dolly records when a chat template is set), rendered
    /// with the spec's chat template into segments whose loss follows `trainOn`.
    /// - Throws: ``DatasetError`` naming the file, line or record and the fix for a missing or mistyped
    ///   field, an unknown role, roles out of order, empty content or no assistant turn; or when no
    ///   chat template was chosen.
    static func conversations(_ spec: DatasetSpec) throws -> [Example] {
        guard let template = spec.chatTemplate else {
            throw DatasetError.invalidSpec(path: spec.path.path, reason: "\(spec.type.rawValue) records need a chat template; set `chat_template:` on the stage to one of \(ChatTemplates.names.joined(separator: ", "))")
        }
        return try DatasetRecord.read(spec.path, spec).map { record in
            let messages = try conversation(spec, record)
            return example(template.render(messages, addGenerationPrompt: false), trainOn: spec.trainOn, source: record.location)
        }
    }

    /// The checked conversation of one record.
    static func conversation(_ spec: DatasetSpec, _ r: DatasetRecord) throws -> [ChatMessage] {
        var messages: [ChatMessage]
        switch spec.type {
        case .alpaca, .dolly:
            let (instruction, input, output) = try instructionFields(spec, r)
            let prompt = input.map { $0.isEmpty ? instruction : instruction + "\n\n" + $0 } ?? instruction
            messages = [ChatMessage(.user, prompt), ChatMessage(.assistant, output)]
        default:
            messages = try rawMessages(spec, r)
        }
        if let problem = ChatMessage.problem(in: messages, needsAssistant: true) {
            throw r.bad(problem + r.suffix)
        }
        return messages
    }

    /// The message list of a `chat` or `sharegpt` record, roles mapped, order not yet checked.
    static func rawMessages(_ spec: DatasetSpec, _ r: DatasetRecord) throws -> [ChatMessage] {
        let share = spec.type == .sharegpt
        let listField = spec.fields.messages ?? (share ? "conversations" : "messages")
        let roleField = spec.fields.role ?? (share ? "from" : "role")
        let contentField = spec.fields.content ?? (share ? "value" : "content")
        let shape = "{\"\(listField)\": [{\"\(roleField)\": …, \"\(contentField)\": …}, …]}"
        guard let value = r.object[listField] else {
            throw r.missing("'\(listField)' field", hint: "\(spec.type.rawValue) records are \(shape); name another list with `field_messages`")
        }
        guard let list = value.arrayValue else {
            throw r.bad("'\(listField)' must be a list of messages \(shape)\(r.suffix)")
        }
        return try list.enumerated().map { i, item in
            guard let object = item.objectValue else {
                throw r.bad("message \(i + 1) of '\(listField)' is not an object\(r.suffix); messages are \(shape)")
            }
            guard let roleName = object[roleField]?.stringValue else {
                throw r.bad("message \(i + 1) has no string '\(roleField)'\(r.suffix); name the role field with `message_field_role`")
            }
            guard let role = roleNames[roleName] else {
                throw r.bad("message \(i + 1) has the unknown role '\(roleName)'\(r.suffix); roles are system, user (or human) and assistant (or gpt)")
            }
            guard let content = object[contentField]?.stringValue else {
                throw r.bad("message \(i + 1) has no string '\(contentField)'\(r.suffix); name the text field with `message_field_content`")
            }
            return ChatMessage(role, content)
        }
    }

    /// Segments of a rendered conversation with loss placed per `trainOn`.
    public static func example(_ rendered: RenderedChat, trainOn: TrainOn, source: String) -> Example {
        let lastAssistant = rendered.segments.last(where: \.isCompletion)?.message
        let segments = rendered.segments.map { s in
            let trained: Bool
            switch trainOn {
            case .all: trained = true
            case .assistant: trained = s.isCompletion
            case .lastAssistant: trained = s.isCompletion && s.message == lastAssistant
            }
            var segment = Example.Segment(s.text, trained: trained)
            segment.parsesSpecialTokens = true
            segment.turn = s.message
            segment.role = s.role
            return segment
        }
        return Example(segments: segments, appendEOS: false, trainEOS: false, source: source)
    }
}
