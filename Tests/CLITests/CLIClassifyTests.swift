import Foundation
import Testing
import TestSupport

/// `lathe classify` and `lathe validate` on a tiny classify recipe run by the real binary.
@Suite(.serialized) struct CLIClassifyTests {
    static let recipe = """
        name: tiny-classify
        seed: 1
        stages:
          tok: {kind: tokenize, datasets: [{path: data/s.tsv, type: classification}], vocab_size: 300}
          senti:
            kind: classify
            from: scratch
            tokenizer: tok
            model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32}
            datasets: [{path: data/s.tsv, type: classification}]
            max_steps: 3
            micro_batch_size: 4
            threads: 1
        """

    @Test("lathe classify prints every label's probability per text; validate checks the data first")
    func classifyPrintsLabelProbabilities() throws {
        let p = TemporaryProject()
        let rows = (0..<24).map { i in i % 2 == 0 ? "the phone is great\tpos" : "the phone is awful\tneg" }
        p.write("pipelines/data/s.tsv", "text\tlabel\n" + rows.joined(separator: "\n") + "\n")
        p.write("pipelines/c.yaml", Self.recipe)
        let validate = try CommandRunner.run(["validate", "pipelines/c.yaml"], in: p.root)
        #expect(validate.status == 0, "\(validate.stderr)")
        #expect(validate.stdout.contains("stage 'senti': 2 labels (neg, pos), 24 training and 0 validation records"), "\(validate.stdout)")
        let run = try CommandRunner.run(["run", "pipelines/c.yaml"], in: p.root)
        #expect(run.status == 0, "\(run.stderr)")

        let out = try CommandRunner.run(["classify", "pipelines/c.yaml", "senti", "--text", "the phone is great", "--text", "awful"], in: p.root)
        #expect(out.status == 0, "\(out.stderr)")
        let blocks = out.stdout.split(separator: "\n\n", omittingEmptySubsequences: true)
        #expect(blocks.count == 2, "\(out.stdout)")
        for block in blocks {
            let lines = block.split(separator: "\n").map { $0.split(separator: "\t") }
            #expect(Set(lines.map { String($0[0]) }) == ["neg", "pos"])
            let probabilities = lines.compactMap { Double($0[1]) }
            #expect(abs(probabilities.reduce(0, +) - 1) <= 2e-4 && probabilities == probabilities.sorted(by: >))
        }
        let tok = try CommandRunner.run(["classify", "pipelines/c.yaml", "tok", "--text", "x"], in: p.root)
        #expect(tok.status == 64 && tok.stderr.contains("not a classifier"))

        // a record without its label fails validation with file and line, exit 64
        p.write("pipelines/data/s.tsv", "text\tlabel\ngood\tpos\nno label\n")
        let bad = try CommandRunner.run(["validate", "pipelines/c.yaml"], in: p.root)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("pipelines/data/s.tsv:3: the row has 1 field but the label column 'label' is field 2 of 2"), "\(bad.stderr)")
    }
    static let loraRecipe = """
        name: tiny-lora-classify
        seed: 1
        stages:
          tok: {kind: tokenize, datasets: [{path: data/s.tsv, type: classification}], vocab_size: 300}
          senti:
            kind: classify
            from: scratch
            tokenizer: tok
            model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32}
            datasets: [{path: data/s.tsv, type: classification}]
            max_steps: 3
            micro_batch_size: 4
            threads: 1
          lora:
            kind: classify
            from: senti
            adapter: lora
            lora_r: 2
            datasets: [{path: data/s.tsv, type: classification}]
            max_steps: 3
            micro_batch_size: 4
            threads: 1
        """

    @Test("A LoRA classify stage classifies with lathe classify, exports its PEFT folder with labels and base, and validate refuses LoRA keys without adapter: lora")
    func loraClassifyStage() throws {
        let p = TemporaryProject()
        let rows = (0..<24).map { i in i % 2 == 0 ? "the phone is great\tpos" : "the phone is awful\tneg" }
        p.write("pipelines/data/s.tsv", "text\tlabel\n" + rows.joined(separator: "\n") + "\n")
        p.write("pipelines/c.yaml", Self.loraRecipe)
        let run = try CommandRunner.run(["run", "pipelines/c.yaml"], in: p.root)
        #expect(run.status == 0, "\(run.stderr)")
        let out = try CommandRunner.run(["classify", "pipelines/c.yaml", "lora", "--text", "the phone is great"], in: p.root)
        #expect(out.status == 0, "\(out.stderr)")
        let lines = out.stdout.split(separator: "\n").map { $0.split(separator: "\t") }
        #expect(Set(lines.map { String($0[0]) }) == ["neg", "pos"], "\(out.stdout)")
        #expect(abs(lines.compactMap { Double($0[1]) }.reduce(0, +) - 1) <= 2e-4, "\(out.stdout)")

        let export = try CommandRunner.run(["export", "pipelines/c.yaml", "lora", "exports/lora"], in: p.root)
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stdout.contains("PeftModel.from_pretrained"), "\(export.stdout)")
        for file in ["adapter_config.json", "adapter_model.safetensors", "classifier.json", "tokenizer.json", "base/config.json",
                     "base/model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: p.root.appendingPathComponent("exports/lora/\(file)").path), "\(file)")
        }

        p.write("pipelines/c.yaml", Self.loraRecipe.replacingOccurrences(of: "    tokenizer: tok\n", with: "    tokenizer: tok\n    lora_r: 4\n"))
        let bad = try CommandRunner.run(["validate", "pipelines/c.yaml"], in: p.root)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("c.yaml:9:5: 'lora_r' in stage 'senti' applies only to a LoRA classify stage"), "\(bad.stderr)")
    }
}
