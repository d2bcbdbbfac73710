import Foundation
import Testing
@testable import Recipes

@Suite struct CanonicalParamsTests {
    private let block = """
        # the base model
        stages:
          base:
            kind: instruct
            from: ./hf
            learning_rate: 0.0003
            datasets: [{path: data/a.txt, type: completion}]
            threads: 4
        """

    private func params(_ yaml: String, stage: String = "base") throws -> [String: String] {
        try #require(try TestProject().recipe(yaml).recipe.stage(named: stage)?.canonicalParams)
    }

    @Test func containsResolvedDefaultsAndSeedButNotThreads() throws {
        let canonical = try params(block)
        #expect(canonical["learning_rate"] == "0.0003")
        #expect(canonical["datasets[0].path"] == "pipelines/data/a.txt")
        #expect(canonical["datasets[0].type"] == "completion")
        #expect(canonical["seed"] == "42")
        #expect(canonical["micro_batch_size"] == "1")
        #expect(canonical["train_on_eos"] == "true")
        #expect(canonical["from"] == "pipelines/hf")
        #expect(canonical["threads"] == nil)
    }

    @Test("deterministic: false leaves the params as they were before the key existed; true adds itself and threads")
    func deterministicEntersTheKeyOnlyWhenTrue() throws {
        #expect(try params(block)["deterministic"] == nil)
        #expect(try params(block + "\n    deterministic: false") == params(block))
        let pinned = try params(block + "\n    deterministic: true")
        #expect(pinned["deterministic"] == "true")
        #expect(pinned["threads"] == "4")  // the data-parallel split: other bits for another count
        let loaded = try TestProject().recipe(block + "\n    deterministic: true").recipe
        #expect(loaded.stage(named: "base")?.params.deterministic == true)
        #expect(try TestProject().recipe(block).recipe.stage(named: "base")?.params.deterministic == false)
    }

    @Test("a tokenize stage refuses deterministic: it does no floating-point math")
    func tokenizeRefusesDeterministic() throws {
        let yaml = """
            stages:
              tok:
                kind: tokenize
                datasets: [{path: data/a.txt, type: completion}]
                deterministic: true
            """
        guard case .failure(let error) = try TestProject().load(yaml) else { Issue.record("accepted"); return }
        #expect("\(error)".contains("deterministic"))
    }

    @Test func keyOrderCommentsAnchorsAliasesAndThreadsDoNotChangeIt() throws {
        let reordered = """
            stages:
              base:   # reordered, flow style, aliased key, anchors
                datasets: &data [{type: completion, path: ./data/../data/a.txt}]
                lr: 3e-4
                from: ./hf
                kind: instruct
                threads: 1
            """
        #expect(try params(reordered) == params(block))
    }

    @Test func renamingAStageDoesNotChangeItsOrItsDependentsParams() throws {
        let a = "stages:\n  base: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}\n"
            + "  next: {kind: instruct, from: base, datasets: [{path: data/a.txt}]}\n"
        let b = "stages:\n  renamed: {kind: instruct, from: ./hf, datasets: [{path: data/a.txt}]}\n"
            + "  next: {kind: instruct, from: renamed, datasets: [{path: data/a.txt}]}\n"
        #expect(try params(a, stage: "base") == params(b, stage: "renamed"))
        #expect(try params(a, stage: "next") == params(b, stage: "next"))
        #expect(try params(a, stage: "next")["from"] == "@upstream")
    }

    @Test func changingLearningRateChangesIt() throws {
        let changed = try params(block.replacingOccurrences(of: "0.0003", with: "0.0001"))
        #expect(changed["learning_rate"] == "0.0001")
        #expect(try changed != params(block))
    }

    @Test(arguments: [("1e-5", "1e-05"), ("0.00001", "1e-05"), ("3", "3.0"), ("3.0e-3", "0.003")])
    func numbersHaveOneCanonicalText(_ written: String, _ canonical: String) throws {
        let yaml = "stages:\n  base: {kind: instruct, from: ./hf, learning_rate: \(written), datasets: [{path: data/a.txt}]}\n"
        #expect(try params(yaml)["learning_rate"] == canonical)
    }
}
