/// A conversation role, as OpenAI-style `messages` spell it.
public enum ChatRole: String, Sendable, Hashable, Codable, CaseIterable {
    case system, user, assistant
}

/// One message of a conversation.
public struct ChatMessage: Sendable, Hashable, Codable {
    public var role: ChatRole
    public var content: String

    public init(_ role: ChatRole, _ content: String) {
        self.role = role
        self.content = content
    }

    /// Why `messages` is not a conversation every template renders, or nil when it is: an optional
    /// system message first, then user and assistant alternating from a user turn, no empty content.
    /// `needsAssistant` asks for at least one assistant turn (training data; a generation prompt may
    /// end on the user's turn).
    public static func problem(in messages: [ChatMessage], needsAssistant: Bool) -> String? {
        guard !messages.isEmpty else { return "the conversation has no messages; give at least a user and an assistant turn" }
        var expected = ChatRole.user
        for (i, m) in messages.enumerated() {
            if m.content.isEmpty {
                return "message \(i + 1) (\(m.role.rawValue)) has empty content; remove the message or give it text"
            }
            if m.role == .system {
                guard i == 0 else { return "message \(i + 1) is a system message; only the first message may be one" }
                continue
            }
            guard m.role == expected else {
                return "message \(i + 1) is \(m.role.rawValue) where \(expected.rawValue) was expected; after an optional "
                    + "system message, turns alternate user, assistant, user, …"
            }
            expected = expected == .user ? .assistant : .user
        }
        if needsAssistant, !messages.contains(where: { $0.role == .assistant }) {
            return "the conversation has no assistant turn, so nothing would be trained; add the assistant's reply"
        }
        return nil
    }
}
