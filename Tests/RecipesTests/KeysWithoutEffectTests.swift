import Foundation
import Testing
@testable import Recipes

/// Keys that would be accepted and ignored are refused instead, each with its reason and fix (issue 22).
private let keysWithoutEffect: [DiagnosticCase] = [
    DiagnosticCase(id: "lora_fan_in_fan_out is decided by the model", yaml: """
        stages:
          lora: {kind: attach-adapters, from: ./hf, lora_fan_in_fan_out: false, datasets: [{path: data/a.txt}]}
        """, expected: ["2:45: 'lora_fan_in_fan_out' is not accepted in stage 'lora': Lathe sets PEFT's fan_in_fan_out from "
            + "the model's weight layout (GPT-2's Conv1D: true; Llama-family nn.Linear: false) and writes it to "
            + "adapter_config.json. Remove it."]),
    DiagnosticCase(id: "fan_in_fan_out in defaults", yaml: """
        defaults: {fan_in_fan_out: true}
        stages:
          lora: {kind: attach-adapters, from: ./hf, datasets: [{path: data/a.txt}]}
        """, expected: ["1:12: 'fan_in_fan_out' is not accepted in 'defaults': Lathe sets PEFT's fan_in_fan_out from "
            + "the model's weight layout (GPT-2's Conv1D: true; Llama-family nn.Linear: false) and writes it to "
            + "adapter_config.json. Remove it."]),
    DiagnosticCase(id: "freezing base blocks in a LoRA stage", yaml: """
        stages:
          lora: {kind: attach-adapters, from: ./hf, freeze_trainable_layers: 1, datasets: [{path: data/a.txt}]}
        """, expected: ["2:45: 'freeze_trainable_layers' is not accepted in stage 'lora': a LoRA stage trains only its "
            + "adapters and lora_modules_to_save; the base stays frozen. Use lora_modules_to_save or "
            + "peft_layers_to_transform, or a domain-adapt stage to train base blocks."]),
    DiagnosticCase(id: "a LoRA stage from scratch", yaml: """
        stages:
        \(tokenizeStage)
          lora: {kind: attach-adapters, from: scratch, tokenizer: tok, datasets: [{path: data/a.txt}]}
        """, expected: ["3:33: stage 'lora' attaches adapters to a trained model, so it cannot start from scratch. Name "
            + "a stage or an HF model directory in 'from:', or use a pretrain-continue stage."]),
    DiagnosticCase(id: "a tokenize seed", yaml: """
        stages:
          tok: {kind: tokenize, seed: 3, datasets: [{path: data/a.txt}]}
        """, expected: ["2:25: 'seed' is not accepted in stage 'tok': the BPE trainer draws no random numbers: the same "
            + "data always gives the same merges. Remove it."]),
    DiagnosticCase(id: "training settings of a reused tokenizer", yaml: """
        stages:
          tok: {kind: tokenize, from: ./hf, vocab_size: 500, datasets: [{path: data/a.txt}]}
        """, expected: ["2:37: 'vocab_size' in stage 'tok' has no effect: 'from' reuses an existing tokenizer as it is. "
            + "Remove 'vocab_size', or remove 'from' to train a new one."]),
    DiagnosticCase(id: "warm-up with the constant schedule", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, lr_scheduler: constant, warmup_steps: 3, datasets: [{path: data/a.txt}]}
        """, expected: ["2:62: 'warmup_steps' in stage 'base' has no effect with lr_scheduler 'constant' (HF's constant "
            + "schedule has no warm-up). Use lr_scheduler: constant_with_warmup, or remove 'warmup_steps'."]),
    DiagnosticCase(id: "a cosine floor on a linear schedule", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, lr_scheduler: linear, cosine_min_lr_ratio: 0.1, datasets: [{path: data/a.txt}]}
        """, expected: ["2:60: 'cosine_min_lr_ratio' in stage 'base' only floors the cosine schedule, and lr_scheduler is "
            + "'linear'. Remove it or use lr_scheduler: cosine."]),
    DiagnosticCase(id: "validation settings without validation data", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, eval_steps: 5, early_stopping_patience: 2, datasets: [{path: data/a.txt}]}
        """, expected: [
            "2:38: 'eval_steps' in stage 'base' needs validation data, and this stage has none. Set val_set_size (e.g. 0.1) "
                + "or test_datasets, or remove 'eval_steps'.",
            "2:53: 'early_stopping_patience' in stage 'base' needs validation data, and this stage has none. Set "
                + "val_set_size (e.g. 0.1) or test_datasets, or remove 'early_stopping_patience'.",
        ]),
    DiagnosticCase(id: "a samples system message without a chat template", yaml: """
        stages:
          ev: {kind: evaluate, models: [./hf], test_datasets: [{path: data/a.txt}], samples: {prompts: [hi], system: Be brief.}}
        """, expected: ["2:77: 'samples' in stage 'ev' has a system message, which only a chat template sends. Add chat_template "
            + "(e.g. tokenizer), or remove samples.system."]),
]

/// Dataset keys and metrics the declared `type` ignores are refused by `validate` (issue 20 #10).
private let keysTheTypeIgnores: [DiagnosticCase] = [
    DiagnosticCase(id: "an alpaca field on completion text", yaml: """
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt, field_instruction: q}]}
        """, expected: ["2:55: 'field_instruction' in 'datasets[0]' of stage 'tok' has no effect on 'completion' records: only 'alpaca' and 'dolly' "
            + "records read it. Remove it, or set the type it belongs to."]),
    DiagnosticCase(id: "a generation metric on completion text", yaml: """
        stages:
          ev: {kind: evaluate, models: [./hf], test_datasets: [{path: data/a.txt, metrics: [exact_match]}]}
        """, expected: ["2:75: metric 'exact_match' in 'test_datasets[0]' of stage 'ev' does not apply to 'completion' records: 'exact_match' "
            + "compares generated answers with reference outputs, which only alpaca, dolly and input_output records have. Use "
            + "forgetting, loss, perplexity."]),
    DiagnosticCase(id: "macro_f1 on alpaca records", yaml: """
        stages:
          ev: {kind: evaluate, models: [./hf], test_datasets: [{path: data/a.txt, type: alpaca, metrics: [loss, macro_f1]}]}
        """, expected: ["2:89: metric 'macro_f1' in 'test_datasets[0]' of stage 'ev' does not apply to 'alpaca' records: macro_f1 scores "
            + "classification data only. Use accuracy, exact_match, forgetting, loss, perplexity, token_f1."]),
]

private let tokenizeStage = "  tok: {kind: tokenize, datasets: [{path: data/a.txt}]}"

@Suite struct KeysWithoutEffectTests {
    @Test("A key that would have no effect is refused with its reason and fix", arguments: keysWithoutEffect)
    func keyWithoutEffectIsRefused(_ testCase: DiagnosticCase) throws {
        let project = try TestProject()
        #expect(project.errors(testCase.yaml, overrides: testCase.overrides) == testCase.expected)
    }

    @Test("A dataset key or metric the record type ignores is refused with the types that read it", arguments: keysTheTypeIgnores)
    func keyTheTypeIgnoresIsRefused(_ testCase: DiagnosticCase) throws {
        let project = try TestProject()
        #expect(project.errors(testCase.yaml, overrides: testCase.overrides) == testCase.expected)
    }

    @Test("The same keys pass where they do have an effect")
    func keysWithAnEffectPass() throws {
        let project = try TestProject()
        let yaml = """
            stages:
              tok: {kind: tokenize, vocab_size: 500, datasets: [{path: data/a.txt}]}
              base: {kind: instruct, from: ./hf, lr_scheduler: constant_with_warmup, warmup_steps: 3, val_set_size: 0.1,
                     eval_steps: 5, early_stopping_patience: 2, freeze_trainable_layers: 1, datasets: [{path: data/a.txt}]}
              cos: {kind: instruct, from: ./hf, lr_scheduler: cosine, cosine_min_lr_ratio: 0.1, datasets: [{path: data/a.txt}]}
              ev: {kind: evaluate, models: [./hf], test_datasets: [{path: data/a.txt}], chat_template: chatml,
                   samples: {prompts: [hi], system: Be brief.}}
            """
        #expect(project.errors(yaml) == ["loaded"])
    }
}
