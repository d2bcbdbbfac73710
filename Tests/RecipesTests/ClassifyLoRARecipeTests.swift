import Foundation
import Testing
@testable import Recipes

/// A classify stage's LoRA keys (issue 17): LoRA keys that would do nothing or contradict each other are
/// refused with file:line:col, the reason and the fix; `adapter: lora` fills attach-adapters' defaults; a
/// full fine-tuning stage's key holds no LoRA key, even when `defaults:` sets some for adapter stages.
private let classifyLoRACases: [DiagnosticCase] = [
    DiagnosticCase(id: "a LoRA key without adapter: lora", yaml: """
        stages:
          c:
            kind: classify
            from: ./hf
            lora_r: 4
            datasets: [{path: data/b.jsonl, type: classification}]
        """, expected: ["5:5: 'lora_r' in stage 'c' applies only to a LoRA classify stage, and this stage trains every weight "
            + "(it has no 'adapter: lora'). Add 'adapter: lora', or remove 'lora_r'."]),
    DiagnosticCase(id: "layer freezing beside adapter: lora", yaml: """
        stages:
          c:
            kind: classify
            from: ./hf
            adapter: lora
            unfrozen_parameters: ['pooler']
            datasets: [{path: data/b.jsonl, type: classification}]
        """, expected: ["6:5: 'unfrozen_parameters' in stage 'c' has no effect with 'adapter: lora': the model stays frozen and "
            + "only the LoRA adapters and the classification head train. Use peft_layers_to_transform or lora_modules_to_save, "
            + "or remove 'adapter: lora'."]),
    DiagnosticCase(id: "the head as a LoRA target", yaml: """
        stages:
          c:
            kind: classify
            from: ./hf
            adapter: lora
            lora_target_modules: [query, classifier]
            datasets: [{path: data/b.jsonl, type: classification}]
        """, expected: ["6:5: 'lora_target_modules' in stage 'c' names the classification head 'classifier', which a LoRA "
            + "classify stage always trains in full and saves with the adapter (PEFT's SEQ_CLS modules_to_save). Remove 'classifier'."]),
    DiagnosticCase(id: "the head as an extra module to save", yaml: """
        stages:
          c:
            kind: classify
            from: ./hf
            adapter: lora
            lora_modules_to_save: [score]
            datasets: [{path: data/b.jsonl, type: classification}]
        """, expected: ["6:5: 'lora_modules_to_save' in stage 'c' names the classification head 'score', which a LoRA "
            + "classify stage always trains in full and saves with the adapter (PEFT's SEQ_CLS modules_to_save). Remove 'score'."]),
    DiagnosticCase(id: "target modules beside lora_target_linear", yaml: """
        stages:
          c:
            kind: classify
            from: ./hf
            adapter: lora
            lora_target_linear: true
            lora_target_modules: [query]
            datasets: [{path: data/b.jsonl, type: classification}]
        """, expected: ["7:5: 'lora_target_modules' in stage 'c' has no effect with 'lora_target_linear: true', which puts "
            + "LoRA on every linear layer. Remove one of them."]),
    DiagnosticCase(id: "a LoRA classifier from scratch", yaml: """
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt}]}
          c:
            kind: classify
            from: scratch
            tokenizer: tok
            model: {n_layer: 1, n_head: 2, n_embd: 16, n_positions: 32}
            adapter: lora
            datasets: [{path: data/b.jsonl, type: classification}]
        """, expected: ["5:5: stage 'c' has 'adapter: lora', which adapts a trained model, so it cannot start from scratch. "
            + "Name a stage or an HF model directory in 'from:', or remove 'adapter: lora' to train every weight."]),
    DiagnosticCase(id: "continuing an adapter directory in classify", yaml: """
        stages:
          c:
            kind: classify
            from: ./hf
            adapter: lora
            lora_model_dir: ./hf
            datasets: [{path: data/b.jsonl, type: classification}]
        """, expected: ["6:5: 'lora_model_dir' is not accepted in stage 'c': a classify stage with adapter: lora starts a new "
            + "adapter and head on its `from:` model; continuing an existing adapter is an attach-adapters feature. Remove it."]),
]

@Suite struct ClassifyLoRARecipeTests {
    @Test("A classify stage's LoRA key that makes no sense is refused at its line and column with the fix", arguments: classifyLoRACases)
    func senselessLoRAKeyIsRefused(_ testCase: DiagnosticCase) throws {
        let project = try TestProject()
        #expect(project.errors(testCase.yaml, overrides: testCase.overrides) == testCase.expected)
    }

    @Test("adapter: lora fills attach-adapters' defaults, and a full classify stage keeps a key without LoRA keys from defaults:")
    func defaultsApplyOnlyToLoRAStages() throws {
        let project = try TestProject()
        let recipe = try project.recipe("""
            defaults: {lora_r: 4, adapter: lora, merge_lora: true}
            stages:
              full: {kind: classify, from: ./hf, datasets: [{path: data/b.jsonl, type: classification}]}
              lora: {kind: classify, from: ./hf, adapter: lora, lora_dropout: 0.1, datasets: [{path: data/b.jsonl, type: classification}]}
              plain: {kind: classify, from: ./hf, adapter: lora, datasets: [{path: data/b.jsonl, type: classification}]}
              adapters: {kind: attach-adapters, from: ./hf, datasets: [{path: data/a.txt}]}
            """).recipe
        guard case .classify(let full)? = recipe.stage(named: "full")?.params,
              case .classify(let lora)? = recipe.stage(named: "lora")?.params else {
            Issue.record("the classify stages did not load as classify stages")
            return
        }
        #expect(full.lora == nil)
        #expect(!(recipe.stage(named: "full")?.canonicalParams.keys.contains { $0.hasPrefix("lora") || $0 == "adapter" || $0 == "merge_lora" } ?? true))
        #expect(lora.lora == ClassifyLoRAParams(loraR: 4, loraAlpha: 8, loraDropout: 0.1, loraTargetModules: nil, loraTargetLinear: false,
                                                peftUseRslora: false, peftLayersToTransform: nil, loraModulesToSave: [], mergeLora: true))
        #expect(recipe.stage(named: "lora")?.canonicalParams["lora_alpha"] != nil)
        // the same LoRA classify stage with the defaults written out has the same params, hence the same key
        let explicit = try project.recipe("""
            stages:
              lora: {kind: classify, from: ./hf, adapter: lora, lora_r: 4, lora_alpha: 8, lora_dropout: 0.1, merge_lora: true,
                     datasets: [{path: data/b.jsonl, type: classification}]}
            """).recipe
        #expect(explicit.stage(named: "lora")?.canonicalParams == recipe.stage(named: "lora")?.canonicalParams)
    }

    @Test("An evaluate stage that lists a LoRA classify stage also reads that stage's base chain")
    func evaluateReadsTheBaseOfALoRAClassifier() throws {
        let project = try TestProject()
        let recipe = try project.recipe("""
            stages:
              base: {kind: classify, from: ./hf, datasets: [{path: data/b.jsonl, type: classification}]}
              lora: {kind: classify, from: base, adapter: lora, datasets: [{path: data/b.jsonl, type: classification}]}
              full: {kind: classify, from: base, datasets: [{path: data/b.jsonl, type: classification}]}
              ev1: {kind: evaluate, models: [lora], test_datasets: [{path: data/b.jsonl, type: classification}]}
              ev2: {kind: evaluate, models: [full], test_datasets: [{path: data/b.jsonl, type: classification}]}
            """).recipe
        #expect(recipe.stage(named: "ev1")?.upstream == ["base", "lora"])
        #expect(recipe.stage(named: "ev2")?.upstream == ["full"])
    }
}
