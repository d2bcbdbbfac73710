import Foundation
import Testing
import Tokenization
@testable import Datasets

/// `chat` / `sharegpt` records, field mappings, `train_on` masks and `truncation`.
@Suite("Conversation data")
struct ConversationDataTests {
    static let chatJSONL = """
        {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "What does a lock file record?"}, {"role": "assistant", "content": "Keys and hashes."}, {"role": "user", "content": "And the store?"}, {"role": "assistant", "content": "Outputs."}]}
        {"messages": [{"role": "user", "content": "Count the stages."}, {"role": "assistant", "content": "Three."}]}

        """

    /// A tokenizer that knows ChatML's markers as special tokens.
    static let tokenizer: BPETokenizer = {
        let corpus = [Array((Fixtures.text + chatJSONL).utf8)]
        return try! BPETrainer(vocabSize: 400, specialTokens: ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]).train(corpus)
    }()

    static func spec(_ url: URL, _ type: DatasetType, trainOn: TrainOn = .assistant, fields: FieldMapping = FieldMapping(),
                     template: ChatTemplate? = .chatml(defaultSystem: nil)) -> DatasetSpec {
        DatasetSpec(path: url, type: type, fields: fields, chatTemplate: template, trainOn: trainOn)
    }

    /// The trained text of an encoded document.
    static func trainedText(_ e: EncodedDataset, _ d: Int) -> String {
        let (t, m) = e.document(d)
        let ids = zip(t, m).filter { $0.1 == 1 }.map { Int($0.0) }
        return tokenizer.decodeText(ids)
    }

    @Test("chat records render with the template and train every assistant turn with its end token")
    func chatRecordsTrainAssistantTurns() throws {
        let url = try Fixtures.file("chat.jsonl", Self.chatJSONL)
        let examples = try DatasetReader.examples(Self.spec(url, .chat))
        #expect(examples.count == 2)
        #expect(String(decoding: examples[1].text, as: UTF8.self)
            == "<|im_start|>user\nCount the stages.<|im_end|>\n<|im_start|>assistant\nThree.<|im_end|>\n")
        let encoded = try DatasetEncoder.encode(examples, tokenizer: Self.tokenizer)
        #expect(Self.trainedText(encoded, 0) == "Keys and hashes.<|im_end|>Outputs.<|im_end|>")
        // The markers are single special-token ids, as apply_chat_template tokenizes them.
        let start = try #require(Self.tokenizer.addedTokenId("<|im_start|>"))
        #expect(encoded.document(1).tokens.first == UInt32(start))
        #expect(!examples[0].appendEOS)
    }

    @Test("train_on last_assistant trains only the final reply; all trains every token")
    func trainOnModes() throws {
        let url = try Fixtures.file("chat.jsonl", Self.chatJSONL)
        let last = try DatasetEncoder.encode(try DatasetReader.examples(Self.spec(url, .chat, trainOn: .lastAssistant)), tokenizer: Self.tokenizer)
        #expect(Self.trainedText(last, 0) == "Outputs.<|im_end|>")
        let all = try DatasetEncoder.encode(try DatasetReader.examples(Self.spec(url, .chat, trainOn: .all)), tokenizer: Self.tokenizer)
        #expect(all.document(0).mask.allSatisfy { $0 == 1 })
    }

    @Test("sharegpt records map human and gpt, and field mappings read renamed fields")
    func sharegptAndFieldMappings() throws {
        let share = try Fixtures.file("s.jsonl", """
            {"conversations": [{"from": "human", "value": "Count the stages."}, {"from": "gpt", "value": "Three."}]}

            """)
        let chat = try Fixtures.file("c.jsonl", Self.chatJSONL)
        let a = try DatasetReader.examples(Self.spec(share, .sharegpt)).map(\.segments)
        let b = try DatasetReader.examples(Self.spec(chat, .chat)).dropFirst().map(\.segments)
        #expect(a == Array(b))
        let renamed = try Fixtures.file("r.jsonl", """
            {"dialog": [{"speaker": "user", "text": "Count the stages."}, {"speaker": "assistant", "text": "Three."}]}

            """)
        let c = try DatasetReader.examples(Self.spec(renamed, .chat, fields: FieldMapping(messages: "dialog", role: "speaker", content: "text")))
        #expect(c.map(\.segments) == Array(b))
        let alpaca = try Fixtures.file("a.jsonl", "{\"q\": \"Count the stages.\", \"a\": \"Three.\"}\n")
        let d = try DatasetReader.examples(Self.spec(alpaca, .alpaca, fields: FieldMapping(instruction: "q", output: "a")))
        #expect(d.map(\.segments) == Array(b))
        // Without a chat template alpaca keeps today's prompt, under the mapped names too.
        let e = try DatasetReader.examples(Self.spec(alpaca, .alpaca, fields: FieldMapping(instruction: "q", output: "a"), template: nil))
        #expect(String(decoding: e[0].segments[0].bytes, as: UTF8.self) == PromptTemplate.alpaca.prompt(instruction: "Count the stages.", input: nil))
    }

    @Test("Bad conversations are errors naming file, line and the fix", arguments: [
        ("{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", "no assistant turn"),
        ("{\"messages\": [{\"role\": \"assistant\", \"content\": \"hi\"}, {\"role\": \"user\", \"content\": \"x\"}]}", "message 1 is assistant where user was expected"),
        ("{\"messages\": [{\"role\": \"bot\", \"content\": \"hi\"}]}", "unknown role 'bot'"),
        ("{\"messages\": [{\"role\": \"user\", \"content\": \"\"}, {\"role\": \"assistant\", \"content\": \"x\"}]}", "message 1 (user) has empty content"),
        ("{\"text\": \"hi\"}", "record has no 'messages' field"),
        ("{\"messages\": [{\"role\": \"user\"}]}", "message 1 has no string 'content'"),
    ])
    func badConversations(line: String, expected: String) throws {
        let url = try Fixtures.file("bad.jsonl", Self.chatJSONL + line + "\n")
        do {
            _ = try DatasetReader.examples(Self.spec(url, .chat))
            Issue.record("accepted: \(line)")
        } catch {
            let text = "\(error)"
            #expect(text.hasPrefix("\(url.path):3: "), "\(text)")
            #expect(text.contains(expected), "\(text)")
        }
    }

    @Test("chat data without a chat template is an error naming chat_template")
    func chatNeedsATemplate() throws {
        let url = try Fixtures.file("chat.jsonl", Self.chatJSONL)
        #expect(throws: DatasetError.self) { try DatasetReader.examples(Self.spec(url, .chat, template: nil)) }
    }

    static func dataset(_ docs: [([UInt32], [UInt8])]) -> EncodedDataset {
        var e = EncodedDataset()
        for (t, m) in docs { e.append(tokens: t, mask: m) }
        return e
    }

    @Test("truncation drops, truncates or keeps over-length records, and counts them")
    func truncationPolicies() {
        // sequence_len 4 → a window of 5 tokens.
        let e = Self.dataset([
            ([1, 2, 3], [0, 1, 1]),                    // fits
            ([1, 2, 3, 4, 5, 6, 7], [0, 0, 1, 1, 1, 1, 1]), // over, response starts inside the window
            ([1, 2, 3, 4, 5, 6, 7], [0, 0, 0, 0, 0, 1, 1]), // over, prompt fills the window
            ([1, 2, 3, 4, 5], [0, 1, 1, 1, 1]),         // exactly the window
        ])
        let (dropped, d) = e.fitted(sequenceLen: 4, policy: .drop)
        #expect(dropped.documentCount == 2)
        #expect(d.overLength == 2 && d.dropped == 2 && d.truncated == 0 && d.split == 0 && d.documents == 4)
        let (cut, t) = e.fitted(sequenceLen: 4, policy: .truncate)
        #expect(cut.documentCount == 3)
        #expect(Array(cut.document(1).tokens) == [1, 2, 3, 4, 5] && Array(cut.document(1).mask) == [0, 0, 1, 1, 1])
        #expect(t.truncated == 1 && t.dropped == 1)
        let (kept, s) = e.fitted(sequenceLen: 4, policy: .split)
        #expect(kept == e)
        #expect(s.split == 2 && s.dropped == 0)
        let lengths = LengthDistribution(e, sequenceLen: 4)
        #expect(lengths.overLength == 2 && lengths.promptFillsWindow == 1 && lengths.max == 7 && lengths.min == 3)
    }

    @Test("A metric's prompt tokens are the training rendering's tokens up to the answer, for every template",
          arguments: ["chatml", "llama3", "mistral", "gemma", "phi3", "alpaca"])
    func heldOutPromptIsTheTrainingPrefix(name: String) throws {
        let url = try Fixtures.file("held-out-\(name).jsonl", Self.chatJSONL)
        let template = try #require(ChatTemplates.named(name, eosToken: "<|endoftext|>"))
        let held = try DatasetReader.heldOutConversations(Self.spec(url, .chat, template: nil))
        #expect(held.map(\.reference) == ["Outputs.", "Three."])
        for c in held {
            let prompt = try DatasetEncoder.encode([c.prompt(template)], tokenizer: Self.tokenizer)
            #expect(prompt.trainedTokenCount == 0)
            let training = try DatasetEncoder.encode([c.example(template, trainOn: .lastAssistant)], tokenizer: Self.tokenizer)
            let n = prompt.tokens.count
            // the same ids as training up to the answer, whose first token is the first trained one
            #expect(Array(training.tokens.prefix(n)) == prompt.tokens, "\(name) \(c.source)")
            #expect(training.lossMask.prefix(n).allSatisfy { $0 == 0 } && training.lossMask[n] == 1, "\(name) \(c.source)")
            #expect(Self.trainedText(training, 0) == c.reference + template.endOfTurn, "\(name) \(c.source)")
            // and the text is what apply_chat_template(…, add_generation_prompt=True) sends a model
            // (transformers' equality of `render` is ChatTemplateTests'); Mistral's reply opens with a space
            let before = Array(c.messages[..<c.answerIndex])
            let generation = template.render(before, addGenerationPrompt: true).text + (name == "mistral" ? " " : "")
            #expect(String(decoding: c.prompt(template).text, as: UTF8.self) == generation, "\(name) \(c.source)")
        }
    }

    @Test("Alpaca records are held-out conversations of one user and one assistant turn; other types are refused")
    func alpacaHeldOutConversations() throws {
        let url = try Fixtures.file("held-out-alpaca.jsonl", "{\"instruction\": \"Name it.\", \"input\": \"a fox\", \"output\": \"Fox.\"}\n")
        let held = try DatasetReader.heldOutConversations(Self.spec(url, .alpaca, template: nil))
        #expect(held == [HeldOutConversation(messages: [ChatMessage(.user, "Name it.\n\na fox"), ChatMessage(.assistant, "Fox.")], source: url.path + ":1")])
        #expect(throws: DatasetError.self) { try DatasetReader.heldOutConversations(Self.spec(url, .completion, template: nil)) }
    }
}
