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
          tok: {kind: tokenize, vocab_size: 300, special_tokens: ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], datasets: [{path: data/general.txt, type: completion}]}
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
}
