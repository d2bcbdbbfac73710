import Foundation
import Testing
import TestSupport

/// `lathe sample` and `lathe export` on a tiny recipe run by the real binary:
///
///     data/a.txt ── tok ── base (a 1-block GPT-2 pre-trained for 3 steps)
@Suite(.serialized) struct CLISampleExportTests {
    static let recipe = """
        name: tiny
        seed: 1
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32}
            datasets: [{path: data/a.txt}]
            max_steps: 3
            sequence_len: 32
            micro_batch_size: 4
            threads: 1
        """

    func project() throws -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n", count: 60))
        p.write("pipelines/tiny.yaml", Self.recipe)
        let run = try CommandRunner.run(["run", "pipelines/tiny.yaml"], in: p.root)
        #expect(run.status == 0, "\(run.stderr)")
        return p
    }

    @Test func sampleGeneratesDeterministicallyAndExplainsAMissingResult() throws {
        let p = try project()
        let greedy = try CommandRunner.run(["sample", "pipelines/tiny.yaml", "base", "--prompt", "the lathe", "--max-new-tokens", "6"], in: p.root)
        #expect(greedy.status == 0, "\(greedy.stderr)")
        #expect(!greedy.stdout.isEmpty)
        let args = ["sample", "pipelines/tiny.yaml", "base", "--prompt", "the lathe", "--temperature", "1.0", "--top-k", "50",
                    "--top-p", "0.95", "--seed", "7", "--max-new-tokens", "12"]
        let a = try CommandRunner.run(args, in: p.root), b = try CommandRunner.run(args, in: p.root)
        #expect(a.status == 0 && a.stdout == b.stdout)
        let wrapped = try CommandRunner.run(["sample", "pipelines/tiny.yaml", "base", "--instruction", "--prompt", "Turn a bowl.",
                                             "--max-new-tokens", "4"], in: p.root)
        #expect(wrapped.status == 0, "\(wrapped.stderr)")

        // A stage whose current key has no result (the recipe changed since the run) is said plainly.
        let stale = try CommandRunner.run(["sample", "pipelines/tiny.yaml", "base", "--prompt", "x", "--set", "stages.base.max_steps=4"], in: p.root)
        #expect(stale.status == 1)
        #expect(stale.stderr.contains("stage 'base' has no result in the store; run `lathe run pipelines/tiny.yaml --set stages.base.max_steps=4` first."))
        let tok = try CommandRunner.run(["sample", "pipelines/tiny.yaml", "tok", "--prompt", "x"], in: p.root)
        #expect(tok.status == 64)
        #expect(tok.stderr.contains("holds no model"))
        let typo = try CommandRunner.run(["sample", "pipelines/tiny.yaml", "bsae", "--prompt", "x"], in: p.root)
        #expect(typo.status == 64)
        #expect(typo.stderr.contains("base"))
        let bad = try CommandRunner.run(["sample", "pipelines/tiny.yaml", "base", "--prompt", "x", "--top-p", "1.5"], in: p.root)
        #expect(bad.status == 64)
    }

    /// A 1-block model taught one reply: every conversation answers "ok" and ends its turn.
    static let chatRecipe = """
        name: tinychat
        seed: 1
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300, special_tokens: ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {n_layer: 1, n_head: 2, n_embd: 32, n_positions: 64}
            datasets: [{path: data/a.txt}]
            max_steps: 1
            sequence_len: 64
            threads: 1
          chat:
            kind: instruct
            from: base
            datasets: [{path: data/chat.jsonl, type: chat}]
            chat_template: chatml
            sample_packing: true
            learning_rate: 3.0e-2
            max_steps: 60
            sequence_len: 64
            micro_batch_size: 4
            threads: 1
        """

    @Test("sample --chat renders the conversation with the stage's template, stops at its end of turn and prints the reply only")
    func sampleChatRendersAndStopsAtEndOfTurn() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n", count: 60))
        p.write("pipelines/data/chat.jsonl", (0..<40).map { i in
            "{\"messages\": [{\"role\": \"user\", \"content\": \"turn bowl \(i % 7)\"}, {\"role\": \"assistant\", \"content\": \"ok\"}]}"
        }.joined(separator: "\n") + "\n")
        p.write("pipelines/chat.yaml", Self.chatRecipe)
        let run = try CommandRunner.run(["run", "pipelines/chat.yaml"], in: p.root)
        #expect(run.status == 0, "\(run.stderr)")
        let reply = try CommandRunner.run(["sample", "pipelines/chat.yaml", "chat", "--chat", "--message", "user=turn bowl 3",
                                           "--max-new-tokens", "12", "--show-prompt"], in: p.root)
        #expect(reply.status == 0, "\(reply.stderr)")
        // the training format up to the reply; generation stopped at <|im_end|> (not at 12 tokens)
        #expect(reply.stderr.contains("<|im_start|>user\nturn bowl 3<|im_end|>\n<|im_start|>assistant\n"))
        #expect(reply.stdout == "ok\n")
        let system = try CommandRunner.run(["sample", "pipelines/chat.yaml", "chat", "--chat", "--system", "Be brief.", "--message", "user=turn bowl 3",
                                            "--max-new-tokens", "2", "--show-prompt"], in: p.root)
        #expect(system.status == 0, "\(system.stderr)")
        #expect(system.stderr.contains("<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nturn bowl 3<|im_end|>\n<|im_start|>assistant\n"))
        let file = p.root.appendingPathComponent("conversation.json")
        try Data(#"{"messages": [{"role": "user", "content": "turn bowl 1"}]}"#.utf8).write(to: file)
        let fromFile = try CommandRunner.run(["sample", "pipelines/chat.yaml", "chat", "--chat", "--messages", file.path], in: p.root)
        #expect(fromFile.status == 0 && fromFile.stdout == "ok\n", "\(fromFile.stderr)")

        let endsOnAssistant = try CommandRunner.run(["sample", "pipelines/chat.yaml", "chat", "--chat", "--message", "user=hi",
                                                     "--message", "assistant=ok"], in: p.root)
        #expect(endsOnAssistant.status == 64 && endsOnAssistant.stderr.contains("must end with a user message"))
        let badRole = try CommandRunner.run(["sample", "pipelines/chat.yaml", "chat", "--chat", "--message", "bot=hi"], in: p.root)
        #expect(badRole.status == 64 && badRole.stderr.contains("role=text"))
        let noChat = try CommandRunner.run(["sample", "pipelines/chat.yaml", "chat", "--message", "user=hi"], in: p.root)
        #expect(noChat.status == 64 && noChat.stderr.contains("need --chat"))
    }

    @Test func exportCopiesTheModelFolderWithoutLogsAndRefusesANonEmptyFolder() throws {
        let p = try project()
        let fm = FileManager.default
        let r = try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/base"], in: p.root)
        #expect(r.status == 0, "\(r.stderr)")
        let dir = p.root.appendingPathComponent("out/base")
        #expect(try fm.contentsOfDirectory(atPath: dir.path).sorted()
                == ["config.json", "generation_config.json", "model.safetensors", "tokenizer.json"])
        // The exported weights are the stored ones, byte for byte.
        let lock = try #require(p.read("pipelines/tiny.lock"))
        let parsed = try JSONSerialization.jsonObject(with: Data(lock.utf8)) as? [String: Any]
        let key = try #require(((parsed?["stages"] as? [String: Any])?["base"] as? [String: Any])?["key"] as? String)
        let stored = p.store.appendingPathComponent("\(key.prefix(2))/\(key)/out/model.safetensors")
        #expect(fm.contentsEqual(atPath: stored.path, andPath: dir.appendingPathComponent("model.safetensors").path))

        let again = try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/base"], in: p.root)
        #expect(again.status == 64)
        #expect(again.stderr.contains("out/base is not empty"))
        let forced = try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/base", "--force", "--with-logs"], in: p.root)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(fm.fileExists(atPath: dir.appendingPathComponent("logs/metrics.jsonl").path))
        let missing = try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/other", "--set", "stages.base.max_steps=4"], in: p.root)
        #expect(missing.status == 1)
        #expect(!fm.fileExists(atPath: p.root.appendingPathComponent("out/other").path))
    }

    @Test("export --format gguf carries the chat template the stage trained with as tokenizer.chat_template")
    func ggufExportCarriesTheChatTemplate() throws {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n", count: 60))
        p.write("pipelines/tiny.yaml", Self.recipe + "\n    chat_template: chatml\n")
        let run = try CommandRunner.run(["run", "pipelines/tiny.yaml"], in: p.root)
        #expect(run.status == 0, "\(run.stderr)")
        let r = try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/base.gguf", "--format", "gguf"], in: p.root)
        #expect(r.status == 0, "\(r.stderr)")
        let template = try Python.run(["-c", "import gguf,sys; r=gguf.GGUFReader(sys.argv[1]); "
            + "f=r.get_field('tokenizer.chat_template'); print(bytes(f.parts[-1]).decode() if f else 'MISSING', end='')",
            p.root.appendingPathComponent("out/base.gguf").path])
        #expect(template.contains("<|im_start|>") && template.contains("add_generation_prompt"), "\(template)")
    }

    @Test("export --format gguf writes a llama.cpp file that gguf-py opens and Lathe scores exactly like the folder")
    func exportAsGGUFRoundTrips() throws {
        let p = try project()
        let r = try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/base.gguf", "--format", "gguf"], in: p.root)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("as GGUF (f32)"), "\(r.stdout)")
        let file = p.root.appendingPathComponent("out/base.gguf").path
        let listing = try Python.run(["-c", "import gguf,sys; r=gguf.GGUFReader(sys.argv[1]); "
            + "print(len(r.tensors), bytes(r.get_field('general.architecture').parts[-1]).decode(), "
            + "len(r.get_field('tokenizer.ggml.tokens').data))", file])
        let fields = listing.split(whereSeparator: \.isWhitespace)
        #expect(fields.count == 3 && fields[1] == "gpt2" && (Int(fields[2]) ?? 0) > 256, "\(listing)")
        let again = try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/base.gguf", "--format", "gguf"], in: p.root)
        #expect(again.status == 64 && again.stderr.contains("exists"))
        let bad = try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/x.gguf", "--format", "gguf", "--type", "q4"], in: p.root)
        #expect(bad.status == 64)
        // Lathe reads its own file back: an evaluate stage scores the folder and the GGUF alike
        p.write("pipelines/compare.yaml", """
            name: compare
            stages:
              compare:
                kind: evaluate
                models: [../out/folder, ../out/base.gguf]
                test_datasets: [{path: data/a.txt}]
                max_samples: 5
            """)
        #expect(try CommandRunner.run(["export", "pipelines/tiny.yaml", "base", "out/folder"], in: p.root).status == 0)
        let compare = try CommandRunner.run(["run", "pipelines/compare.yaml"], in: p.root)
        #expect(compare.status == 0, "\(compare.stderr)")
        let lock = try #require(p.read("pipelines/compare.lock"))
        // lock lines such as `"base.gguf/a/perplexity": 124.31,`
        let perplexities = lock.split(separator: "\n").filter { $0.contains("/perplexity\"") }
            .map { $0.split(separator: ":").last!.trimmingCharacters(in: CharacterSet(charactersIn: " ,")) }
        #expect(perplexities.count == 2 && perplexities[0] == perplexities[1], "\(perplexities)")
    }
}
