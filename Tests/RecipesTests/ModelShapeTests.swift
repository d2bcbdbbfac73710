import Foundation
import Testing
@testable import Recipes

/// Tokenizer/model mismatches and over-long sequences are recipe errors, found before anything runs,
/// through `from:` chains and in model directories named by path.
@Suite struct ModelShapeTests {
    static let tok = "  tok: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 512}\n"

    @Test func aTokenizerLargerThanAScratchModelsVocabularyIsAnError() throws {
        let project = try TestProject()
        let errors = project.errors("stages:\n" + Self.tok + """
              base: {kind: pretrain-continue, from: scratch, tokenizer: tok, datasets: [{path: data/a.txt}],
                     model: {vocab_size: 300, n_layer: 1, n_head: 1, n_embd: 8, n_positions: 16}}
            """)
        #expect(errors == ["3:50: stage 'base' uses a tokenizer of 512 tokens (stage 'tok', vocab_size 512) with a model "
            + "whose vocab_size is 300 (its 'model'); token ids past 299 would have no embedding. Use the tokenizer the "
            + "model was trained with, or a model with vocab_size ≥ 512."])
    }

    @Test func theMismatchIsFoundThroughAFromChain() throws {
        let project = try TestProject()
        let errors = project.errors("stages:\n" + Self.tok + """
              small: {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300}
              base: {kind: pretrain-continue, from: scratch, tokenizer: small, datasets: [{path: data/a.txt}],
                     model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 16}}
              sft: {kind: instruct, from: base, tokenizer: tok, datasets: [{path: data/b.jsonl, type: alpaca}]}
            """)
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix("6:37: stage 'sft' uses a tokenizer of 512 tokens (stage 'tok', vocab_size 512) "
            + "with a model whose vocab_size is 300 (stage 'base')") == true, "\(errors)")
        // the matching tokenizer is fine, inherited or named
        #expect(project.errors("stages:\n" + Self.tok + """
              base: {kind: pretrain-continue, from: scratch, tokenizer: tok, datasets: [{path: data/a.txt}],
                     model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 16}}
              sft: {kind: instruct, from: base, datasets: [{path: data/b.jsonl, type: alpaca}]}
              sft2: {kind: instruct, from: sft, tokenizer: tok, datasets: [{path: data/b.jsonl, type: alpaca}]}
            """) == ["loaded"])
    }

    @Test func aModelDirectoryIsReadForItsVocabularyAndPositions() throws {
        let project = try TestProject()
        try Data(#"{"model_type": "gpt2", "vocab_size": 400, "n_positions": 32}"#.utf8)
            .write(to: project.root.appendingPathComponent("pipelines/hf/config.json"))
        let errors = project.errors("stages:\n" + Self.tok + """
              base: {kind: domain-adapt, from: ./hf, tokenizer: tok, sequence_len: 64, datasets: [{path: data/a.txt}]}
            """)
        #expect(errors == [
            "3:42: stage 'base' uses a tokenizer of 512 tokens (stage 'tok', vocab_size 512) with a model whose vocab_size "
                + "is 400 (pipelines/hf/config.json); token ids past 399 would have no embedding. Use the tokenizer the model "
                + "was trained with, or a model with vocab_size ≥ 512.",
            "3:58: 'sequence_len' (64) in stage 'base' exceeds the model's 'n_positions' (32, pipelines/hf/config.json). "
                + "Lower 'sequence_len' to 32 or less.",
        ])
    }

    @Test func aTokenizerDirectoryIsCountedByItsLargestId() throws {
        let project = try TestProject()
        try Data(#"{"model_type": "gpt2", "vocab_size": 100, "n_positions": 32}"#.utf8)
            .write(to: project.root.appendingPathComponent("pipelines/hf/config.json"))
        try Data(#"{"model": {"type": "BPE", "vocab": {"a": 0, "b": 150}}, "added_tokens": [{"id": 151, "content": "<|endoftext|>"}]}"#.utf8)
            .write(to: project.root.appendingPathComponent("pipelines/tokdir/tokenizer.json"))
        let errors = project.errors("""
            stages:
              base: {kind: instruct, from: ./hf, tokenizer: ./tokdir, datasets: [{path: data/b.jsonl, type: alpaca}]}
            """)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("a tokenizer of 152 tokens (pipelines/tokdir/tokenizer.json) with a model whose vocab_size is 100") == true,
                "\(errors)")
    }

    @Test func replayNeedsTwoRowsPerStep() throws {
        let project = try TestProject()
        let yaml = """
            stages:
              d: {kind: domain-adapt, from: ./hf, datasets: [{path: data/a.txt}],
                  replay: {datasets: [{path: data/a.txt}], ratio: 0.1}}
            """
        #expect(project.errors(yaml) == ["3:7: 'replay' in stage 'd' mixes general rows into every optimizer step, which "
            + "needs at least 2 rows per step (micro_batch_size × gradient_accumulation_steps is 1). Set micro_batch_size "
            + "or gradient_accumulation_steps to 2 or more."])
        #expect(project.errors(yaml, overrides: ["stages.d.gradient_accumulation_steps=2"]) == ["loaded"])
    }
}
