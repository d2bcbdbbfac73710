import Foundation
import Testing
import TestSupport
@testable import Datasets

/// Every chat-template family renders exactly what `transformers` renders from the family's Jinja
/// source (kept in `ChatTemplates/*.jinja`), and its segments put the loss mask on exact boundaries.
@Suite("Chat templates")
struct ChatTemplateTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("ChatTemplates")

    static func jinja(_ name: String) throws -> String {
        try String(contentsOf: fixtures.appendingPathComponent("\(name).jinja"), encoding: .utf8)
    }

    /// Conversations every family is checked on: multi-turn with and without a system message, ending on
    /// an assistant or a user turn; content with surrounding spaces (Llama 3 and Gemma trim it).
    static let conversations: [[ChatMessage]] = [
        [.init(.system, "You answer in one line."), .init(.user, "What does a lock file record?"),
         .init(.assistant, " Keys and output hashes. "), .init(.user, "And the store?"), .init(.assistant, "Outputs by key.")],
        [.init(.user, "Name the stage that trains a tokenizer."), .init(.assistant, "The tokenize stage."),
         .init(.user, "Which stage\nevaluates?")],
        [.init(.user, "Hi")],
        [.init(.system, "Be brief."), .init(.user, "Count: tokenize, instruct, evaluate.")],
        [.init(.user, "ünïcode → ok?"), .init(.assistant, "Yes\n\nit is.")],
    ]

    /// (fixture, family, bos, eos) for the named templates. Where each fixture comes from: llama3 is
    /// Meta-Llama-3-8B-Instruct's `chat_template` and phi3 Phi-3-mini-4k-instruct's, verbatim; mistral is
    /// Mixtral-8x7B-Instruct-v0.1's (the optional-system-message version), verbatim but for the final
    /// newline; smollm2 is SmolLM2-135M-Instruct's own (also checked on the real folder); gemma is Gemma
    /// 3's with its image branches removed (Lathe refuses multimodal templates), so it renders text
    /// messages as Gemma 3 does but is not byte-identical; chatml is the plain ChatML template; alpaca is
    /// Lathe's own.
    static let families: [(String, any ChatTemplateFamily, String, String)] = [
        ("chatml", ChatMLTemplate(), "<s>", "</s>"),
        ("llama3", Llama3ChatTemplate(), "<|begin_of_text|>", "<|eot_id|>"),
        ("mistral", MistralChatTemplate(), "<s>", "</s>"),
        ("gemma", GemmaChatTemplate(), "<bos>", "<eos>"),
        ("phi3", Phi3ChatTemplate(), "<s>", "<|endoftext|>"),
        ("alpaca", AlpacaChatTemplate(eosToken: "<|endoftext|>"), "", "<|endoftext|>"),
        ("smollm2", ChatMLTemplate(defaultSystem: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"),
         "<|im_start|>", "<|im_end|>"),
    ]

    static func messagesJSON(_ messages: [ChatMessage]) -> [[String: String]] {
        messages.map { ["role": $0.role.rawValue, "content": $0.content] }
    }

    /// transformers' renderings of `cases`.
    static func reference(_ cases: [[String: Any]]) throws -> [String] {
        let input = try JSONSerialization.data(withJSONObject: cases)
        let inputURL = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-chat-\(UUID().uuidString).json")
        try input.write(to: inputURL)
        defer { try? FileManager.default.removeItem(at: inputURL) }
        let script = fixtures.appendingPathComponent("render_chat.py").path
        let out = try Python.run(["-c", "import sys; sys.stdin = open(sys.argv[2]); exec(open(sys.argv[1]).read())", script, inputURL.path])
        return try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String])
    }

    @Test("Every named template renders what transformers renders from its Jinja source")
    func namedTemplatesMatchTransformers() throws {
        var cases: [[String: Any]] = []
        var ours: [String] = []
        for (fixture, family, bos, eos) in Self.families {
            let template = try Self.jinja(fixture)
            for conversation in Self.conversations {
                for generation in [false, true] {
                    cases.append(["template": template, "bos": bos, "eos": eos, "messages": Self.messagesJSON(conversation),
                                  "add_generation_prompt": generation])
                    ours.append(family.render(conversation, addGenerationPrompt: generation).text)
                }
            }
        }
        let theirs = try Self.reference(cases)
        #expect(theirs.count == ours.count)
        for (i, (a, b)) in zip(ours, theirs).enumerated() {
            #expect(a == b, "case \(i) (\(Self.families[i / (2 * Self.conversations.count)].0))")
        }
    }

    @Test("Each Jinja source is recognised as its own family, with SmolLM2's default system message read from it")
    func recognitionPicksTheFamily() throws {
        for (fixture, family, bos, eos) in Self.families {
            let recognised = try ChatTemplates.recognise(jinja: try Self.jinja(fixture), bosToken: bos, eosToken: eos, source: fixture)
            #expect(recognised.name == family.name, "\(fixture)")
            for conversation in Self.conversations {
                #expect(recognised.render(conversation, addGenerationPrompt: true) == family.render(conversation, addGenerationPrompt: true), "\(fixture)")
            }
        }
        let smol = try ChatTemplates.recognise(jinja: try Self.jinja("smollm2"), bosToken: nil, eosToken: nil, source: "smollm2")
        #expect(smol == .chatml(defaultSystem: "You are a helpful AI assistant named SmolLM, trained by Hugging Face"))
        #expect((try ChatTemplates.recognise(jinja: try Self.jinja("chatml"), bosToken: nil, eosToken: nil, source: "c")) == .chatml(defaultSystem: nil))
    }

    @Test("A template Lathe cannot render is an error naming the source and the supported templates")
    func unknownTemplatesAreRefused() throws {
        let llama2 = "{% for message in messages %}{{ bos_token + '[INST] ' + message['content'] + ' [/INST]' }}{% endfor %}"
        #expect(throws: DatasetError.self) { try ChatTemplates.recognise(jinja: "{{ messages | tojson }}", bosToken: nil, eosToken: nil, source: "x") }
        #expect(throws: DatasetError.self) { try ChatTemplates.recognise(jinja: llama2, bosToken: nil, eosToken: nil, source: "x") }
        let tools = "{% if tools %}{{ tools }}{% endif %}<|start_header_id|><|end_header_id|>"
        do {
            _ = try ChatTemplates.recognise(jinja: tools, bosToken: nil, eosToken: nil, source: "models/m/tokenizer_config.json")
            Issue.record("a template with tools was accepted")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("models/m/tokenizer_config.json: "))
            #expect(text.contains("'tools'"))
            #expect(text.contains("chatml, llama3, mistral, gemma, phi3, alpaca"))
        }
        #expect(ChatTemplates.named("vicuna") == nil)
    }

    @Test("The Jinja written beside a trained model is the fixture transformers was checked on")
    func sourceJinjaIsTheFixture() throws {
        for name in ChatTemplates.names.dropFirst() {
            let fixture = try Self.jinja(name)
            #expect(ChatTemplates.jinja(named: name) == fixture, "\(name)")
        }
        #expect(ChatTemplates.jinja(named: "tokenizer") == nil)
    }

    @Test("Completion segments are exactly each assistant turn's content and end-of-turn token")
    func completionSegmentsHaveExactBoundaries() {
        let conversation = Self.conversations[0]
        let expected: [String: [String]] = [
            "chatml": [" Keys and output hashes. <|im_end|>", "Outputs by key.<|im_end|>"],
            "llama3": ["Keys and output hashes.<|eot_id|>", "Outputs by key.<|eot_id|>"],
            "mistral": [" Keys and output hashes. </s>", "Outputs by key.</s>"],
            "gemma": ["Keys and output hashes.<end_of_turn>", "Outputs by key.<end_of_turn>"],
            "phi3": [" Keys and output hashes. <|end|>", "Outputs by key.<|end|>"],
            "alpaca": [" Keys and output hashes. <|endoftext|>", "Outputs by key.<|endoftext|>"],
        ]
        for (_, family, _, _) in Self.families.dropLast() {
            let rendered = family.render(conversation, addGenerationPrompt: false)
            let completions = rendered.segments.filter(\.isCompletion)
            #expect(completions.map(\.text) == expected[family.name], "\(family.name)")
            #expect(completions.map(\.message) == [2, 4], "\(family.name)")
            #expect(rendered.segments.allSatisfy { $0.isCompletion == false || $0.role == .assistant })
        }
    }

    @Test("A one-turn alpaca conversation is today's alpaca prompt, response and EOS")
    func alpacaChatEqualsTheAlpacaPrompt() {
        let rendered = AlpacaChatTemplate(eosToken: "<|endoftext|>").render(
            [.init(.user, "Name the stage."), .init(.assistant, "tokenize")], addGenerationPrompt: false)
        #expect(rendered.text == PromptTemplate.alpaca.prompt(instruction: "Name the stage.", input: nil) + "tokenize<|endoftext|>")
    }

    @Test("SmolLM2-135M-Instruct's own template renders as transformers' apply_chat_template on the real folder")
    func realSmolLM2TemplateMatches() throws {
        let folder = try ModelCache.folder(ModelCache.smolLM2)
        let jinja = try String(contentsOf: folder.appendingPathComponent("chat_template.jinja"), encoding: .utf8)
        let family = try ChatTemplates.recognise(jinja: jinja, bosToken: "<|im_start|>", eosToken: "<|im_end|>", source: folder.path)
        var cases: [[String: Any]] = []
        var ours: [String] = []
        for conversation in Self.conversations {
            for generation in [false, true] {
                cases.append(["folder": folder.path, "messages": Self.messagesJSON(conversation), "add_generation_prompt": generation])
                ours.append(family.render(conversation, addGenerationPrompt: generation).text)
            }
        }
        #expect(try Self.reference(cases) == ours)
    }

    @Test("Conversation checks name the message and the fix")
    func conversationProblems() {
        #expect(ChatMessage.problem(in: [], needsAssistant: true)?.contains("no messages") == true)
        #expect(ChatMessage.problem(in: [.init(.user, "a")], needsAssistant: true)?.contains("no assistant turn") == true)
        #expect(ChatMessage.problem(in: [.init(.user, "a")], needsAssistant: false) == nil)
        #expect(ChatMessage.problem(in: [.init(.assistant, "a")], needsAssistant: true)?.contains("message 1 is assistant where user") == true)
        #expect(ChatMessage.problem(in: [.init(.user, "a"), .init(.system, "s")], needsAssistant: false)?.contains("message 2 is a system message") == true)
        #expect(ChatMessage.problem(in: [.init(.user, "a"), .init(.assistant, "")], needsAssistant: true)?.contains("message 2 (assistant) has empty content") == true)
        #expect(ChatMessage.problem(in: [.init(.system, "s"), .init(.user, "a"), .init(.assistant, "b")], needsAssistant: true) == nil)
    }
}
