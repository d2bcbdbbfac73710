import Foundation
import Testing
@testable import Recipes

/// One invalid recipe and the exact diagnostics it must produce.
struct DiagnosticCase: CustomTestStringConvertible, Sendable {
    var id: String
    var yaml: String
    var overrides: [String] = []
    var expected: [String]
    var testDescription: String { id }
}

private let tok = "  tok: {kind: tokenize, datasets: [{path: data/a.txt}]}"
private let hf = "  base: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}"

/// Every message kind the loader emits, pinned to its exact text (style.md §3 rule 16).
let diagnosticCases: [DiagnosticCase] = [
    DiagnosticCase(id: "unknown key with did-you-mean", yaml: """
        stages:
          lora:
            kind: attach-adapters
            from: ./hf
            lora_alpah: 16
            datasets: [{path: data/a.txt}]
        """, expected: ["5:5: unknown key 'lora_alpah' in stage 'lora'. Did you mean 'lora_alpha'?"]),
    DiagnosticCase(id: "unknown key without a close match", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            zzzzzz: 1
            datasets: [{path: data/a.txt}]
        """, expected: ["5:5: unknown key 'zzzzzz' in stage 'base'. Remove it; 'lathe schema' lists the keys of an 'instruct' stage."]),
    DiagnosticCase(id: "key of another kind", yaml: """
        stages:
          sft:
            kind: instruct
            from: ./hf
            lora_r: 8
            datasets: [{path: data/a.txt}]
        """, expected: ["5:5: 'lora_r' is not a key of an 'instruct' stage; it belongs to 'attach-adapters', 'classify'. Remove it or change 'kind'."]),
    DiagnosticCase(id: "wrong type number", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            learning_rate: fast
            datasets: [{path: data/a.txt}]
        """, expected: ["5:20: 'learning_rate' in stage 'base' must be a number, got 'fast'."]),
    DiagnosticCase(id: "wrong type integer from a list", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            max_steps: [1, 2]
            datasets: [{path: data/a.txt}]
        """, expected: ["5:16: 'max_steps' in stage 'base' must be an integer, got a list."]),
    DiagnosticCase(id: "wrong type boolean", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            sample_packing: maybe
            datasets: [{path: data/a.txt}]
        """, expected: ["5:21: 'sample_packing' in stage 'base' must be true or false, got 'maybe'."]),
    DiagnosticCase(id: "enum with did-you-mean", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            lr_scheduler: cosin
            datasets: [{path: data/a.txt}]
        """, expected: ["5:19: 'lr_scheduler' in stage 'base' must be one of 'cosine', 'linear', 'constant', "
            + "'constant_with_warmup', got 'cosin'. Did you mean 'cosine'?"]),
    DiagnosticCase(id: "unknown kind", yaml: """
        stages:
          base:
            kind: pretrain
        """, expected: ["3:11: unknown kind 'pretrain' in stage 'base'. Valid kinds: tokenize, pretrain-continue, "
            + "domain-adapt, instruct, attach-adapters, evaluate, classify. Did you mean 'pretrain-continue'?"]),
    DiagnosticCase(id: "missing kind", yaml: """
        stages:
          base: {from: ./hf}
        """, expected: ["2:3: stage 'base' needs 'kind'. Valid kinds: tokenize, pretrain-continue, domain-adapt, "
            + "instruct, attach-adapters, evaluate, classify."]),
    DiagnosticCase(id: "missing required key", yaml: """
        stages:
          base: {kind: instruct, from: ./hf}
        """, expected: ["2:3: stage 'base' needs 'datasets'. Add e.g. 'datasets: [{path: data/train.txt, type: completion}]'."]),
    DiagnosticCase(id: "missing from", yaml: """
        stages:
          base: {kind: instruct, datasets: [{path: data/a.txt}]}
        """, expected: ["2:3: stage 'base' needs 'from'. Add e.g. 'from: scratch'."]),
    DiagnosticCase(id: "unknown from reference", yaml: """
        stages:
        \(hf)
          clinic: {kind: domain-adapt, from: bsae, datasets: [{path: data/a.txt}]}
        """, expected: ["3:38: stage 'clinic' reads from 'bsae', which is not a stage in this recipe. Did you mean 'base'?"]),
    DiagnosticCase(id: "unknown from reference without a close match", yaml: """
        stages:
        \(hf)
          clinic: {kind: domain-adapt, from: gpt2, datasets: [{path: data/a.txt}]}
        """, expected: ["3:38: stage 'clinic' reads from 'gpt2', which is not a stage in this recipe. Name a stage, "
            + "'scratch', or an HF model directory (a path contains '/' or starts with '.')."]),
    DiagnosticCase(id: "unknown tokenizer reference", yaml: """
        stages:
        \(tok)
          base: {kind: pretrain-continue, from: scratch, tokenizer: tk, model: {n_layer: 2}, datasets: [{path: data/a.txt}]}
        """, expected: ["3:61: stage 'base' takes its tokenizer from 'tk', which is not a stage in this recipe. Did you mean 'tok'?"]),
    DiagnosticCase(id: "unknown models reference", yaml: """
        stages:
        \(hf)
          report: {kind: evaluate, models: [bse], test_datasets: [{path: data/a.txt}]}
        """, expected: ["3:37: stage 'report' evaluates 'bse', which is not a stage in this recipe. Did you mean 'base'?"]),
    DiagnosticCase(id: "from a stage that produces no model", yaml: """
        stages:
        \(tok)
          base: {kind: instruct, from: tok, datasets: [{path: data/a.txt}]}
        """, expected: ["3:32: stage 'base' reads from 'tok', a 'tokenize' stage, which produces no model. Point 'from' "
            + "at a training stage, 'scratch' or an HF model directory."]),
    DiagnosticCase(id: "evaluating a stage that produces no model", yaml: """
        stages:
        \(tok)
          report: {kind: evaluate, models: [tok], test_datasets: [{path: data/a.txt}]}
        """, expected: ["3:37: stage 'report' evaluates 'tok', a 'tokenize' stage, which produces no model. List "
            + "training stages or HF model directories in 'models'."]),
    DiagnosticCase(id: "tokenizer that is not a tokenize stage", yaml: """
        stages:
        \(hf)
          b2: {kind: pretrain-continue, from: scratch, tokenizer: base, model: {n_layer: 2}, datasets: [{path: data/a.txt}]}
        """, expected: ["3:59: stage 'b2' takes its tokenizer from 'base', an 'instruct' stage. Name a tokenize stage "
            + "or a directory holding tokenizer.json."]),
    DiagnosticCase(id: "from scratch without model and tokenizer", yaml: """
        stages:
          base: {kind: pretrain-continue, from: scratch, datasets: [{path: data/a.txt}]}
        """, expected: [
            "2:35: stage 'base' starts from scratch, so it needs 'model'. Add e.g. "
                + "'model: {n_layer: 4, n_head: 4, n_embd: 128, n_positions: 128}'.",
            "2:35: stage 'base' starts from scratch, so it needs 'tokenizer'. Add e.g. 'tokenizer: tok' "
                + "(a tokenize stage) or a directory holding tokenizer.json.",
        ]),
    DiagnosticCase(id: "model without from scratch", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, model: {n_layer: 2}, datasets: [{path: data/a.txt}]}
        """, expected: ["2:38: 'model' in stage 'base' only applies with 'from: scratch'; a stage that starts from a "
            + "trained model keeps its architecture. Remove 'model'."]),
    DiagnosticCase(id: "cycle of two", yaml: """
        stages:
          a: {kind: instruct, from: b, datasets: [{path: data/a.txt}]}
          b: {kind: instruct, from: a, datasets: [{path: data/a.txt}]}
        """, expected: ["2:29: the stages form a cycle: a → b → a. Each stage needs the one before it; point one of "
            + "them at an earlier stage, 'scratch' or a model directory."]),
    DiagnosticCase(id: "cycle of three named in data order", yaml: """
        stages:
          a: {kind: instruct, from: c, datasets: [{path: data/a.txt}]}
          b: {kind: instruct, from: a, datasets: [{path: data/a.txt}]}
          c: {kind: instruct, from: b, datasets: [{path: data/a.txt}]}
        """, expected: ["2:29: the stages form a cycle: a → b → c → a. Each stage needs the one before it; point one "
            + "of them at an earlier stage, 'scratch' or a model directory."]),
    DiagnosticCase(id: "stage reading itself", yaml: """
        stages:
          a: {kind: instruct, from: a, datasets: [{path: data/a.txt}]}
        """, expected: ["2:29: the stages form a cycle: a → a. Each stage needs the one before it; point one of "
            + "them at an earlier stage, 'scratch' or a model directory."]),
    DiagnosticCase(id: "duplicate stage name", yaml: """
        stages:
        \(hf)
          other: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}
        \(hf)
        """, expected: ["4:3: duplicate stage name 'base' (first at line 2). Rename one of the two stages."]),
    DiagnosticCase(id: "duplicate key in a stage", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            max_steps: 10
            max_steps: 20
            datasets: [{path: data/a.txt}]
        """, expected: ["6:5: duplicate key 'max_steps' in stage 'base' (first at line 5). Keep one of them."]),
    DiagnosticCase(id: "alias and canonical key together", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            learning_rate: 1e-4
            lr: 2e-4
            datasets: [{path: data/a.txt}]
        """, expected: ["6:5: 'lr' and 'learning_rate' both set 'learning_rate' in stage 'base'. Keep one of them."]),
    DiagnosticCase(id: "missing dataset file", yaml: """
        stages:
          tok: {kind: tokenize, datasets: [{path: data/x.txt}]}
        """, expected: ["2:43: dataset 'data/x.txt' does not exist (resolved to pipelines/data/x.txt). Check the "
            + "path; paths are relative to the recipe file."]),
    DiagnosticCase(id: "missing model directory", yaml: """
        stages:
          base: {kind: instruct, from: ./models/gpt2, datasets: [{path: data/a.txt}]}
        """, expected: ["2:32: model directory './models/gpt2' does not exist (resolved to pipelines/models/gpt2). "
            + "Check the path; paths are relative to the recipe file."]),
    DiagnosticCase(id: "model directory that is a file", yaml: """
        stages:
          base: {kind: instruct, from: ./data/a.txt, datasets: [{path: data/a.txt}]}
        """, expected: ["2:32: model directory './data/a.txt' is a file (resolved to pipelines/data/a.txt). Name the "
            + "directory instead."]),
    DiagnosticCase(id: "absolute path", yaml: """
        stages:
          tok: {kind: tokenize, datasets: [{path: /etc/passwd}]}
        """, expected: ["2:43: path '/etc/passwd' is absolute. Write it relative to the recipe file so the recipe "
            + "works on every machine."]),
    DiagnosticCase(id: "path leaving the project root", yaml: """
        stages:
          tok: {kind: tokenize, datasets: [{path: ../../outside/secret.txt}]}
        """, expected: ["2:43: path '../../outside/secret.txt' leaves the project root. Keep data inside the project "
            + "and refer to it relative to the recipe file."]),
    DiagnosticCase(id: "unknown key in a dataset", yaml: """
        stages:
          tok: {kind: tokenize, datasets: [{pth: data/a.txt}]}
        """, expected: [
            "2:37: unknown key 'pth' in 'datasets[0]' of stage 'tok'. Did you mean 'path'?",
            "2:36: 'datasets[0]' of stage 'tok' needs 'path'. Add e.g. 'path: data/train.txt'.",
        ].sorted()),
    DiagnosticCase(id: "exclusive warmup keys", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            warmup_steps: 10
            warmup_ratio: 0.1
            datasets: [{path: data/a.txt}]
        """, expected: ["6:5: stage 'base' sets both 'warmup_steps' and 'warmup_ratio', which exclude each other. Keep one."]),
    DiagnosticCase(id: "exclusive validation keys", yaml: """
        stages:
          base:
            kind: instruct
            from: ./hf
            test_datasets: [{path: data/a.txt}]
            val_set_size: 0.1
            datasets: [{path: data/a.txt}]
        """, expected: ["6:5: stage 'base' sets both 'val_set_size' and 'test_datasets', which exclude each other. Keep one."]),
    DiagnosticCase(id: "rank below one", yaml: """
        stages:
          lora: {kind: attach-adapters, from: ./hf, lora_r: 0, datasets: [{path: data/a.txt}]}
        """, expected: ["2:53: 'lora_r' in stage 'lora' must be at least 1, got 0."]),
    DiagnosticCase(id: "ratio above one", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, warmup_ratio: 1.5, datasets: [{path: data/a.txt}]}
        """, expected: ["2:52: 'warmup_ratio' in stage 'base' must be between 0 and 1, got 1.5."]),
    DiagnosticCase(id: "non-positive learning rate", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, learning_rate: 0, datasets: [{path: data/a.txt}]}
        """, expected: ["2:53: 'learning_rate' in stage 'base' must be greater than 0 and at most 10, got 0."]),
    DiagnosticCase(id: "replay ratio of one", yaml: """
        stages:
          d: {kind: domain-adapt, from: ./hf, datasets: [{path: data/a.txt}],
              replay: {datasets: [{path: data/a.txt}], ratio: 1}}
        """, expected: ["3:55: 'ratio' in 'replay' of stage 'd' must be at least 0 and less than 1, got 1."]),
    DiagnosticCase(id: "heads that do not divide the width", yaml: """
        stages:
        \(tok)
          base: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_embd: 100, n_head: 3},
                 datasets: [{path: data/a.txt}]}
        """, expected: ["3:66: 'n_embd' (100) in 'model' of stage 'base' must be a multiple of 'n_head' (3). Change one of them."]),
    DiagnosticCase(id: "sequence longer than the context", yaml: """
        stages:
        \(tok)
          base: {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_positions: 64},
                 sequence_len: 128, datasets: [{path: data/a.txt}]}
        """, expected: ["4:10: 'sequence_len' (128) in stage 'base' exceeds the model's 'n_positions' (64). Lower "
            + "'sequence_len' or raise 'n_positions'."]),
    DiagnosticCase(id: "fractional record count", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, val_set_size: 2.5, datasets: [{path: data/a.txt}]}
        """, expected: ["2:38: 'val_set_size' in stage 'base' counts records when it is 1 or more, so it must be a "
            + "whole number, got 2.5. Use a fraction below 1 or a whole count."]),
    DiagnosticCase(id: "unknown key in defaults", yaml: """
        defaults: {lernig_rate: 1e-4}
        stages:
        \(hf)
        """, expected: ["1:12: unknown key 'lernig_rate' in 'defaults'. Did you mean 'learning_rate'?"]),
    DiagnosticCase(id: "bad default reported once", yaml: """
        defaults: {learning_rate: fast}
        stages:
          a: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}
          b: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}
        """, expected: ["1:27: 'learning_rate' in 'defaults' must be a number, got 'fast'."]),
    DiagnosticCase(id: "kind in defaults", yaml: """
        defaults: {kind: instruct}
        stages:
        \(hf)
        """, expected: ["1:12: 'kind' cannot be set in 'defaults'. Give each stage its own 'kind'."]),
    DiagnosticCase(id: "unknown top-level key", yaml: """
        stagse:
        \(hf)
        """, expected: [
            "1:1: unknown top-level key 'stagse'. Did you mean 'stages'?",
            "1:1: the recipe has no 'stages'. Add e.g. 'stages: {tok: {kind: tokenize, datasets: [{path: data/train.txt}]}}'.",
        ]),
    DiagnosticCase(id: "stages written as a list", yaml: """
        stages:
          - {kind: tokenize, datasets: [{path: data/a.txt}]}
        """, expected: ["2:3: 'stages' must be a mapping from stage name to stage, got a list. Write 'stages: {NAME: "
            + "{kind: …, …}}': each stage's name is its key."]),
    DiagnosticCase(id: "bad stage name", yaml: """
        stages:
          my.stage: {kind: tokenize, datasets: [{path: data/a.txt}]}
        """, expected: ["2:3: stage name 'my.stage' may use only letters, digits, '-' and '_'. Rename the stage."]),
    DiagnosticCase(id: "YAML syntax error", yaml: """
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt}]
        """, expected: ["3:1: YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping). "
            + "Check the indentation and quoting here."]),
    DiagnosticCase(id: "override naming an unknown stage", yaml: """
        stages:
          note: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}
        """, overrides: ["stages.nope.x=1"], expected: ["--set stages.nope.x=1: no stage 'nope'. Did you mean 'note'?"]),
    DiagnosticCase(id: "override with a wrong type", yaml: """
        stages:
        \(hf)
        """, overrides: ["stages.base.learning_rate=fast"],
        expected: ["--set stages.base.learning_rate=fast: 'learning_rate' in stage 'base' must be a number, got 'fast'."]),
    DiagnosticCase(id: "override with an unknown key", yaml: """
        stages:
        \(hf)
        """, overrides: ["stages.base.lora_r=16"],
        expected: ["--set stages.base.lora_r=16: 'lora_r' is not a key of an 'instruct' stage; it belongs to "
            + "'attach-adapters', 'classify'. Remove it or change 'kind'."]),
    DiagnosticCase(id: "override of an unknown path", yaml: """
        stages:
        \(hf)
        """, overrides: ["epochs=3"], expected: ["--set epochs=3: cannot override 'epochs'. Overrides look like "
            + "stages.NAME.KEY=VALUE, defaults.KEY=VALUE, seed=N or name=TEXT."]),
    DiagnosticCase(id: "override without a value separator", yaml: """
        stages:
        \(hf)
        """, overrides: ["seed"], expected: ["--set seed: an override needs '=' between the key and the value. "
            + "Overrides look like stages.NAME.KEY=VALUE, defaults.KEY=VALUE, seed=N or name=TEXT."]),
    DiagnosticCase(id: "negative recipe seed", yaml: """
        seed: -1
        stages:
        \(hf)
        """, expected: ["1:7: 'seed' in the recipe must be at least 0, got -1."]),
    DiagnosticCase(id: "scratch as a tokenizer", yaml: """
        stages:
          base: {kind: pretrain-continue, from: scratch, tokenizer: scratch, model: {n_layer: 2}, datasets: [{path: data/a.txt}]}
        """, expected: ["2:61: 'tokenizer' in stage 'base' cannot be 'scratch'. Name a tokenize stage or a directory "
            + "holding tokenizer.json."]),
    DiagnosticCase(id: "empty dataset list", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, datasets: []}
        """, expected: ["2:48: 'datasets' in stage 'base' is empty. List at least one entry."]),
    DiagnosticCase(id: "invalid unfrozen parameter pattern", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, unfrozen_parameters: ['h.(0'], datasets: [{path: data/a.txt}]}
        """, expected: ["2:38: 'unfrozen_parameters[0]' in stage 'base' is not a valid regular expression: 'h.(0'. Fix the pattern."]),
    DiagnosticCase(id: "vocabulary too small", yaml: """
        stages:
          tok: {kind: tokenize, vocab_size: 257, datasets: [{path: data/a.txt}]}
        """, expected: ["2:25: 'vocab_size' in stage 'tok' must exceed 256 byte tokens plus 1 special token(s), got 257. "
            + "Use at least 258."]),
    DiagnosticCase(id: "recipe that is not a mapping", yaml: "- a\n- b\n",
        expected: ["1:1: the recipe must be a mapping with 'name', 'seed', 'defaults' and 'stages', got a list. "
            + "Start from an example in pipelines/."]),
    DiagnosticCase(id: "empty recipe", yaml: "# nothing\n",
        expected: ["1:1: the recipe is empty. Add 'name:', 'seed:' and 'stages:'."]),
    DiagnosticCase(id: "empty stages", yaml: "stages: {}\n", expected: ["1:9: 'stages' is empty. Add at least one stage."]),
    DiagnosticCase(id: "stage that is not a mapping", yaml: "stages:\n  tok: tokenize\n",
        expected: ["2:8: stage 'tok' must be a mapping of keys, got 'tokenize'. Write 'tok: {kind: …, …}'."]),
    DiagnosticCase(id: "defaults that are not a mapping", yaml: "defaults: [1]\nstages:\n\(hf)\n",
        expected: ["1:11: 'defaults' must be a mapping of stage keys, got a list. Write e.g. 'defaults: {sequence_len: 128}'."]),
    DiagnosticCase(id: "duplicate key in defaults", yaml: "defaults:\n  seed: 1\n  seed: 2\nstages:\n\(hf)\n",
        expected: ["3:3: duplicate key 'seed' in 'defaults' (first at line 2). Keep one of them."]),
    DiagnosticCase(id: "duplicate top-level key", yaml: "seed: 1\nseed: 2\nstages:\n\(hf)\n",
        expected: ["2:1: duplicate top-level key 'seed' (first at line 1). Keep one of them."]),
    DiagnosticCase(id: "bad recipe name", yaml: "name: my recipe\nstages:\n\(hf)\n",
        expected: ["1:7: recipe name 'my recipe' may use only letters, digits, '.', '-' and '_' (it names the lock file). Rename it."]),
    DiagnosticCase(id: "stage named scratch", yaml: "stages:\n  scratch: {kind: tokenize, datasets: [{path: data/a.txt}]}\n",
        expected: ["2:3: stage name 'scratch' is reserved for 'from: scratch'. Rename the stage."]),
    DiagnosticCase(id: "unknown nested key without a close match", yaml: """
        stages:
          d: {kind: domain-adapt, from: ./hf, micro_batch_size: 2, datasets: [{path: data/a.txt}], replay: {zzz: 1, datasets: [{path: data/a.txt}], ratio: 0.1}}
        """, expected: ["2:101: unknown key 'zzz' in 'replay' of stage 'd'. Remove it; valid keys: datasets, ratio."]),
    DiagnosticCase(id: "evaluating scratch", yaml: """
        stages:
          report: {kind: evaluate, models: [scratch], test_datasets: [{path: data/a.txt}]}
        """, expected: ["2:37: 'models[0]' in stage 'report' cannot be 'scratch'. Name a training stage or an HF model directory."]),
    DiagnosticCase(id: "tokenizer from an evaluate stage", yaml: """
        stages:
          report: {kind: evaluate, models: [./hf], test_datasets: [{path: data/a.txt}]}
          tok: {kind: tokenize, from: report, datasets: [{path: data/a.txt}]}
        """, expected: ["3:31: stage 'tok' takes its tokenizer from 'report', an 'evaluate' stage, which holds no tokenizer. "
            + "Name a stage that writes tokenizer.json or such a directory."]),
    DiagnosticCase(id: "freezing zero layers", yaml: """
        stages:
          base: {kind: instruct, from: ./hf, freeze_trainable_layers: 0, datasets: [{path: data/a.txt}]}
        """, expected: ["2:38: 'freeze_trainable_layers' in stage 'base' must not be 0. Use N > 0 to train the last N "
            + "blocks, N < 0 for the first N, or remove the key to train all."]),
    DiagnosticCase(id: "negative LoRA layer index", yaml: """
        stages:
          lora: {kind: attach-adapters, from: ./hf, peft_layers_to_transform: [0, -1], datasets: [{path: data/a.txt}]}
        """, expected: ["2:45: 'peft_layers_to_transform' in stage 'lora' lists block indices, which start at 0. "
            + "Remove the negative entries."]),
    DiagnosticCase(id: "override with an empty key part", yaml: "stages:\n\(hf)\n", overrides: ["stages..x=1"],
        expected: ["--set stages..x=1: the key 'stages..x' has an empty part. Overrides look like "
            + "stages.NAME.KEY=VALUE, defaults.KEY=VALUE, seed=N or name=TEXT."]),
    DiagnosticCase(id: "override value that is not YAML", yaml: "stages:\n\(hf)\n", overrides: ["stages.base.datasets=[a"],
        expected: ["--set stages.base.datasets=[a: the value is not valid YAML (YAML syntax error: did not find expected "
            + "',' or ']' (while parsing a flow sequence). Check the indentation and quoting here.) Quote it, e.g. KEY='\"text\"'."]),
]

@Suite struct DiagnosticMessageTests {
    @Test(arguments: diagnosticCases)
    func invalidRecipeGivesExactDiagnostics(_ testCase: DiagnosticCase) throws {
        let project = try TestProject()
        #expect(project.errors(testCase.yaml, overrides: testCase.overrides) == testCase.expected)
    }
}
