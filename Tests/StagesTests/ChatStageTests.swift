import Foundation
import Orchestration
import Testing
import TestSupport

/// Chat data through a real instruct stage: template rendering, `truncation` counts where the issue
/// asks for them, and the template written beside the model for transformers.
@Suite(.serialized) struct ChatStageTests {
    /// Conversations whose length grows with `i`, so a small `sequence_len` leaves some over.
    static func chatJSONL(_ count: Int) -> String {
        (0..<count).map { i in
            let question = i % 6 == 0 ? "hi \(i)" : Array(repeating: "what does stage \(i) record", count: i % 6).joined(separator: " and ")
            return "{\"messages\": [{\"role\": \"user\", \"content\": \"\(question)?\"}, {\"role\": \"assistant\", \"content\": \"keys \(i)\"}]}"
        }.joined(separator: "\n") + "\n"
    }

    static func recipe(truncation: String) -> String {
        "name: t\nseed: 3\nstages:\n" + """
          tok: {kind: tokenize, vocab_size: 300, special_tokens: ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], datasets: [{path: data/general.txt, type: completion}, {path: data/chat.jsonl, type: chat}]}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: \(TrainingStageAcceptanceTests.model)
            datasets: [{path: data/general.txt, type: completion}]
            max_steps: 2
            sequence_len: 64
            threads: 1
          ft:
            kind: instruct
            from: base
            datasets: [{path: data/chat.jsonl, type: chat}]
            chat_template: chatml
            truncation: \(truncation)
            max_steps: 2
            sequence_len: 48
            threads: 1

        """
    }

    @Test("An instruct stage on chat data counts over-length records per policy and writes its template for transformers")
    func chatInstructStage() throws {
        var run = TrainingPipeline()
        TrainingStageAcceptanceTests.writeText(run.project)
        run.project.write("pipelines/data/chat.jsonl", Self.chatJSONL(24))
        let summary = try run.run(Self.recipe(truncation: "drop"))
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let metrics = try run.metrics("ft")
        let dropped = try #require(metrics["records_dropped"])
        #expect(dropped > 0 && dropped < 24)
        #expect(metrics["records_over_length"] == dropped)
        let out = try run.output("ft")
        let logged = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("logs/summary.json"))) as? [String: Any]
        let fit = (logged?["sequence_fit"] as? [String: Any])?["pipelines/data/chat.jsonl"] as? [String: Double]
        #expect(fit?["dropped"] == dropped && fit?["records"] == 24)
        // The folder carries the template: transformers renders the training format from it.
        let rendered = try Python.run(["-c", """
            import sys
            from transformers import AutoTokenizer
            t = AutoTokenizer.from_pretrained(sys.argv[1])
            sys.stdout.write(t.apply_chat_template([{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}], tokenize=False))
            """, out.path])
        #expect(rendered == "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nyo<|im_end|>\n")

        var split = TrainingPipeline(project: run.project)
        let again = try split.run(Self.recipe(truncation: "split"))
        #expect(again.failed.isEmpty, "\(again.failed)")
        let m = try split.metrics("ft")
        #expect(m["records_split"] == dropped && m["records_dropped"] == 0)
    }

    @Test("Evaluate scores chat data through the template the trained stage wrote, and refuses a model without one")
    func evaluateScoresChatDataWithTheModelsTemplate() throws {
        var run = TrainingPipeline()
        TrainingStageAcceptanceTests.writeText(run.project)
        run.project.write("pipelines/data/chat.jsonl", Self.chatJSONL(24))
        run.project.write("pipelines/data/chat-test.jsonl", Self.chatJSONL(5))
        let evaluate = """
              report:
                kind: evaluate
                models: [ft]
                threads: 1
                generation_max_new_tokens: 4
                test_datasets: [{path: data/chat-test.jsonl, type: chat, name: chat}]

            """
        let summary = try run.run(Self.recipe(truncation: "split") + evaluate)
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let metrics = try run.metrics("report")
        let loss = try #require(metrics["ft/chat/loss"], "\(metrics)")
        #expect(loss.isFinite && loss > 0)
        let f1 = try #require(metrics["ft/chat/token_f1"]), exact = try #require(metrics["ft/chat/exact_match"])
        #expect((0...1).contains(f1) && (0...1).contains(exact))

        // the tokenizer learned from the conversations' text: one document per conversation
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: run.output("tok").appendingPathComponent("stats.json"))) as? [String: Any]
        let chatStats = ((stats?["datasets"] as? [String: Any])?["pipelines/data/chat.jsonl"] ?? (stats?["datasets"] as? [String: Any])?["data/chat.jsonl"]) as? [String: Any]
        #expect(chatStats?["documents"] as? Int == 24, "\(String(describing: stats))")

        // `base` was trained without a template and the stage names none: a clear error, not raw text
        var bare = TrainingPipeline(project: run.project)
        let failed = try bare.run(Self.recipe(truncation: "split") + evaluate.replacingOccurrences(of: "models: [ft]", with: "models: [base]"))
        #expect(failed.failed == ["report"])
        let message = try #require(bare.failures["report"])
        #expect(message.contains("chat_template"), "\(message)")
    }
}
