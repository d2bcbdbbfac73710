import Foundation
@testable import Recipes
import Stages

/// A throwaway project root: `<tmp>/pipelines/recipe.yaml` reads `data/a.txt`, `data/b.jsonl`, the HF
/// directory `hf/` and the tokenizer directory `tokdir/`; `outside/` sits next to the root for escape tests.
final class TestProject: @unchecked Sendable {
    let base: URL
    let root: URL

    init() throws {
        let fm = FileManager.default
        base = fm.temporaryDirectory.appendingPathComponent("lathe-recipes-\(UUID().uuidString)")
        root = base.appendingPathComponent("project")
        for directory in ["pipelines/data", "pipelines/hf", "pipelines/tokdir"] {
            try fm.createDirectory(at: root.appendingPathComponent(directory), withIntermediateDirectories: true)
        }
        try fm.createDirectory(at: base.appendingPathComponent("outside"), withIntermediateDirectories: true)
        for file in ["pipelines/data/a.txt", "pipelines/data/b.jsonl", "pipelines/hf/config.json"] {
            try Data("x\n".utf8).write(to: root.appendingPathComponent(file))
        }
        try Data("secret\n".utf8).write(to: base.appendingPathComponent("outside/secret.txt"))
    }

    deinit { try? FileManager.default.removeItem(at: base) }

    var recipeURL: URL { root.appendingPathComponent("pipelines/recipe.yaml") }

    func load(_ yaml: String, overrides: [String] = []) -> Result<LoadedRecipe, RecipeError> {
        Result { () throws(RecipeError) in
            try RecipeLoader(projectRoot: root, modelFolders: ModelFolderPreflight()).load(yaml: yaml, url: recipeURL, overrides: overrides)
        }
    }

    /// `line:col: message` of every error (or `--set …: message`), or ["loaded"] when the recipe is valid.
    func errors(_ yaml: String, overrides: [String] = []) -> [String] {
        switch load(yaml, overrides: overrides) {
        case .success: return ["loaded"]
        case .failure(let error):
            return error.diagnostics.map { $0.line == 0 ? $0.description : $0.located }
        }
    }

    func recipe(_ yaml: String, overrides: [String] = []) throws -> LoadedRecipe {
        try load(yaml, overrides: overrides).get()
    }
}

/// The DESIGN.md example recipe, adapted to the test project's files.
let designRecipe = """
    # yaml-language-server: $schema=../schemas/recipe.schema.json
    name: clinic
    seed: 1234
    defaults: {sequence_len: 128, micro_batch_size: 16, lr_scheduler: cosine, warmup_steps: 20}
    stages:
      tok:      {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 2048}
      base:     {kind: pretrain-continue, from: scratch, tokenizer: tok,
                 model: {n_layer: 4, n_head: 4, n_embd: 128, n_positions: 128},
                 datasets: [{path: data/a.txt, type: completion}], max_steps: 1500, learning_rate: 3.0e-3}
      clinic:   {kind: domain-adapt, from: base, datasets: [{path: data/a.txt, type: completion}],
                 replay: {datasets: [{path: data/a.txt, type: completion}], ratio: 0.1}}
      assistant: {kind: instruct, from: clinic, datasets: [{path: data/b.jsonl, type: alpaca}]}
      lora:     {kind: attach-adapters, from: clinic, adapter: lora, lora_r: 8, lora_alpha: 16,
                 lora_target_modules: [c_attn], datasets: [{path: data/b.jsonl, type: alpaca}]}
      report:   {kind: evaluate, models: [base, clinic, assistant, lora],
                 test_datasets: [{path: data/a.txt, type: completion},
                                 {path: data/a.txt, type: completion, role: forgetting},
                                 {path: data/b.jsonl, type: alpaca, metrics: [exact_match]}]}
    """
