import Foundation
import Orchestration
import Testing
import TestSupport

@Suite struct PlannerTests {
    @Test func freshPipelineSaysNeverRunThenPendingUpstream() throws {
        let plan = try Harness().plan()
        #expect(plan == [
            "tok": "never run",
            "base": "pending upstream 'tok'",
            "sibling": "pending upstream 'tok'",
            "clinic": "pending upstream 'base'",
            "lora": "pending upstream 'base'",
            "report": "pending upstream 'clinic'",
        ])
    }

    /// Each row: an edit to the recipe → what `lathe status` says for every stage.
    static let reasonTable: [(id: String, edit: @Sendable (Harness) -> Void, expected: [String: String])] = [
        ("nothing changed", { _ in }, [:]),
        ("param changed", { $0.set("base", "learning_rate", "0.0001") },
         ["base": "learning_rate 0.0003 → 0.0001", "clinic": "pending upstream 'base'",
          "lora": "pending upstream 'base'", "report": "pending upstream 'clinic'"]),
        ("param added", { $0.set("lora", "lora_alpha", "16") }, ["lora": "lora_alpha set to 16"]),
        ("input changed", { $0.project.write("pipelines/data/clinic.txt", "new\n") },
         ["clinic": "input pipelines/data/clinic.txt changed", "report": "pending upstream 'clinic'"]),
        ("two params changed", { $0.set("lora", "lora_r", "4"); $0.set("lora", "ignored_x", "1") },
         ["lora": "ignored_x set to 1; lora_r 8 → 4"]),
    ]

    @Test(arguments: 0..<reasonTable.count)
    func statusExplainsEveryStaleStage(row: Int) throws {
        let (_, edit, expected) = PlannerTests.reasonTable[row]
        let h = Harness()
        try h.run()
        edit(h)
        var all: [String: String] = [:]
        for name in ["tok", "base", "sibling", "clinic", "lora", "report"] { all[name] = expected[name] ?? "up to date" }
        #expect(try h.plan() == all)
    }

    @Test func revertedParamIsReportedAsRestoredFromCache() throws {
        let h = Harness()
        try h.run()
        h.set("lora", "lora_r", "4")
        try h.run()
        h.set("lora", "lora_r", "8")
        #expect(try h.plan()["lora"] == "cached result restored (lora_r 4 → 8)")
    }

    @Test func forcedStageSaysForced() throws {
        let h = Harness()
        try h.run()
        #expect(try h.plan(.init(force: ["sibling"]))["sibling"] == "forced")
    }

    @Test func missingStoreEntryIsRerunWithTheReason() throws {
        let h = Harness()
        try h.run()
        let key = try LockFile.read(from: h.lockURL, recipe: "demo").stages["report"]!.key
        try h.store.remove(key)
        #expect(try h.plan()["report"] == "its recorded result is not in this store")
        let summary = try h.run()
        #expect(summary.executed == ["report"])
    }

    @Test func keyIgnoresParamOrderButNotValues() throws {
        let a = StageSpec(name: "a", kind: "k", params: ["x": "1", "y": "2"])
        let b = StageSpec(name: "b", kind: "k", params: ["y": "2", "x": "1"])
        let c = StageSpec(name: "a", kind: "k", params: ["x": "1", "y": "3"])
        let key = { (s: StageSpec) in StageKey.compute(spec: s, inputHashes: [:], upstreamDigests: [:]) }
        #expect(key(a) == key(b))
        #expect(key(a) != key(c))
        #expect(key(a).count == 64)
    }

    @Test func keyCannotBeForgedByEmbeddingSeparators() {
        let a = StageSpec(name: "a", kind: "k", params: ["x": "1\nparam y=2"])
        let b = StageSpec(name: "a", kind: "k", params: ["x": "1", "y": "2"])
        #expect(StageKey.compute(spec: a, inputHashes: [:], upstreamDigests: [:])
                != StageKey.compute(spec: b, inputHashes: [:], upstreamDigests: [:]))
    }
}

@Suite struct PipelineGraphTests {
    @Test func cycleIsNamedInDataFlowOrder() {
        let specs = [
            StageSpec(name: "a", kind: "k", upstream: ["b"]),
            StageSpec(name: "b", kind: "k", upstream: ["a"]),
        ]
        #expect(throws: OrchestrationError.cycle(["a", "b", "a"])) { try PipelineGraph(specs) }
    }

    @Test func duplicateAndUnknownStagesAreErrors() {
        #expect(throws: OrchestrationError.duplicateStage("a")) {
            try PipelineGraph([StageSpec(name: "a", kind: "k"), StageSpec(name: "a", kind: "k")])
        }
        #expect(throws: OrchestrationError.unknownUpstream(stage: "a", upstream: "zz")) {
            try PipelineGraph([StageSpec(name: "a", kind: "k", upstream: ["zz"])])
        }
    }

    @Test func topologicalOrderKeepsFileOrderAmongReadyStages() throws {
        let g = try PipelineGraph([
            StageSpec(name: "z", kind: "k", upstream: ["y"]),
            StageSpec(name: "y", kind: "k"),
            StageSpec(name: "x", kind: "k"),
        ])
        #expect(g.names == ["y", "z", "x"])
    }

    @Test func thousandStageChainOrdersQuickly() throws {
        var specs: [StageSpec] = []
        for i in 0..<1000 { specs.append(StageSpec(name: "s\(i)", kind: "k", upstream: i == 0 ? [] : ["s\(i - 1)"])) }
        let g = try PipelineGraph(specs.reversed())
        #expect(g.names.first == "s0")
        #expect(g.downstream(of: "s990").count == 10)
    }
}
