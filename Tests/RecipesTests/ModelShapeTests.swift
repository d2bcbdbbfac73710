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
            "3:58: 'sequence_len' (64) in stage 'base' exceeds the model's context length (32, pipelines/hf/config.json). "
                + "Lower 'sequence_len' to 32 or less.",
        ])
    }

    @Test("A model folder whose model_type Lathe cannot train is a recipe error naming the file")
    func anUnsupportedModelTypeIsRefused() throws {
        let project = try TestProject()
        try Data(#"{"model_type": "t5", "vocab_size": 400}"#.utf8)
            .write(to: project.root.appendingPathComponent("pipelines/hf/config.json"))
        let errors = project.errors("stages:\n" + Self.tok + """
              base: {kind: domain-adapt, from: ./hf, tokenizer: tok, datasets: [{path: data/a.txt}]}
            """)
        #expect(errors.contains { $0.hasPrefix("3:30: stage 'base' starts from a model with model_type 't5' (pipelines/hf/config.json)") },
                "\(errors)")
    }

    @Test("A Llama-family folder is read for its max_position_embeddings")
    func aLlamaFolderGivesItsContextLength() throws {
        let project = try TestProject()
        try Data(#"{"model_type": "llama", "vocab_size": 600, "max_position_embeddings": 32}"#.utf8)
            .write(to: project.root.appendingPathComponent("pipelines/hf/config.json"))
        let errors = project.errors("stages:\n" + Self.tok + """
              base: {kind: domain-adapt, from: ./hf, tokenizer: tok, sequence_len: 64, datasets: [{path: data/a.txt}]}
            """)
        #expect(errors == ["3:58: 'sequence_len' (64) in stage 'base' exceeds the model's context length "
            + "(32, pipelines/hf/config.json). Lower 'sequence_len' to 32 or less."])
    }

    @Test("A model from scratch is checked: KV heads divide heads, head width even, GPT-2 refuses Llama keys, BERT its shape and keys",
          arguments: [
            ("{architecture: llama, n_layer: 1, n_head: 4, num_key_value_heads: 2, n_embd: 32, n_positions: 16}", nil),
            ("{model_type: qwen2, num_hidden_layers: 1, num_attention_heads: 4, hidden_size: 32, max_position_embeddings: 16}", nil),
            ("{architecture: llama, n_layer: 1, n_head: 4, num_key_value_heads: 3, n_embd: 32, n_positions: 16}",
             "'num_key_value_heads' (3) in 'model' of stage 'base' must divide 'n_head' (4)"),
            ("{architecture: llama, n_layer: 1, n_head: 4, n_embd: 12, n_positions: 16}",
             "'n_embd' (12) in 'model' of stage 'base' must be 'n_head' (4) times an even head width"),
            ("{n_layer: 1, n_head: 4, n_embd: 32, n_positions: 16, rope_theta: 5.0e5}",
             "'rope_theta' in 'model' of stage 'base' applies to Llama-family models only"),
            ("{architecture: falcon, n_layer: 1, n_head: 4, n_embd: 32, n_positions: 16}", "falcon"),
            ("{architecture: bert, n_layer: 1, n_head: 4, n_embd: 32, n_positions: 16, intermediate_size: 64, type_vocab_size: 2}",
             "builds a BERT encoder, which reads WordPiece ids, but 'tokenizer' names tokenize stage 'tok'"),
            ("{architecture: bert, n_layer: 1, n_head: 4, n_embd: 30, n_positions: 16}",
             "'n_embd' (30) in 'model' of stage 'base' must be a multiple of 'n_head' (4)"),
            ("{architecture: bert, n_layer: 1, n_head: 4, n_embd: 32, n_positions: 16, num_key_value_heads: 2}",
             "'num_key_value_heads' in 'model' of stage 'base' does not apply to BERT"),
            ("{n_layer: 1, n_head: 4, n_embd: 32, n_positions: 16, type_vocab_size: 2}",
             "'type_vocab_size' in 'model' of stage 'base' applies to BERT encoders only"),
          ] as [(String, String?)])
    func scratchLlamaModelsAreValidated(model: String, error: String?) throws {
        let project = try TestProject()
        let errors = project.errors("stages:\n" + Self.tok + """
              base: {kind: pretrain-continue, from: scratch, tokenizer: tok, datasets: [{path: data/a.txt}],
                     model: \(model)}
            """)
        if let error {
            #expect(errors.contains { $0.contains(error) }, "\(errors)")
        } else {
            #expect(errors == ["loaded"])
        }
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
