import Foundation
import Testing
@testable import Recipes

/// An evaluate stage reads the base model of every adapter stage it lists (the adapter stage's output
/// holds only the PEFT adapter), so its upstream — and so its key, `lathe dag` and `lathe status` —
/// include each adapter stage's base chain.
@Suite struct EvaluateUpstreamTests {
    static let recipe = """
        name: chain
        stages:
          tok:   {kind: tokenize, datasets: [{path: data/a.txt}], vocab_size: 300}
          base:  {kind: pretrain-continue, from: scratch, tokenizer: tok, model: {n_layer: 1, n_head: 1, n_embd: 8, n_positions: 16},
                  datasets: [{path: data/a.txt}]}
          other: {kind: instruct, from: base, datasets: [{path: data/b.jsonl, type: alpaca}]}
          lora:  {kind: attach-adapters, from: base, datasets: [{path: data/b.jsonl, type: alpaca}]}
          lora2: {kind: attach-adapters, from: lora, datasets: [{path: data/b.jsonl, type: alpaca}]}
          plain:   {kind: evaluate, models: [other], test_datasets: [{path: data/a.txt}]}
          adapter: {kind: evaluate, models: [lora], test_datasets: [{path: data/a.txt}]}
          stacked: {kind: evaluate, models: [./hf, lora2], test_datasets: [{path: data/a.txt}]}
        """

    @Test func evaluatingAnAdapterStageAlsoReadsItsBaseChain() throws {
        let recipe = try TestProject().recipe(Self.recipe).recipe
        // a training stage: only what it lists
        #expect(recipe.stage(named: "plain")?.upstream == ["other"])
        // lora → base (a training stage ends the chain; base's own tokenizer stage is not needed)
        #expect(recipe.stage(named: "adapter")?.upstream == ["base", "lora"])
        // lora2 → lora → base, through the intermediate adapter
        #expect(recipe.stage(named: "stacked")?.upstream == ["base", "lora", "lora2"])
        // other kinds are unchanged
        #expect(recipe.stage(named: "lora2")?.upstream == ["lora"])
    }

    @Test func metricNamesAcceptAccuracyAndForgettingAndSuggestForTheOldName() throws {
        let project = try TestProject()
        let ok = try project.recipe("""
            stages:
              e: {kind: evaluate, models: [./hf], test_datasets: [{path: data/b.jsonl, type: alpaca, metrics: [accuracy, forgetting]}]}
            """).recipe
        guard case .evaluate(let p)? = ok.stage(named: "e")?.params else { Issue.record("not evaluate"); return }
        #expect(p.testDatasets[0].metrics == [.accuracy, .forgetting])
        #expect(p.evalMetrics == nil)   // per-type defaults apply
        let errors = project.errors("""
            stages:
              e: {kind: evaluate, models: [./hf], test_datasets: [{path: data/b.jsonl, type: alpaca, metrics: [mc_accuracy]}]}
            """)
        #expect(errors.count == 1)
        #expect(errors.first?.contains("mc_accuracy") == true)
        #expect(errors.first?.contains("accuracy") == true)
    }
}
