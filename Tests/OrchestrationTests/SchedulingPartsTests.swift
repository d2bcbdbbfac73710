import Foundation
import Testing
@testable import Orchestration

/// The parts `Executor.run` is made of, each on its own: the schedule, the failure policy, the lock
/// reconciler and the one rule for upstreams outside the selection (`Planner.recordedResult`).
@Suite struct SchedulingPartsTests {
    /// tok → base → {lora, eval}
    static let graph = try! PipelineGraph([
        StageSpec(name: "tok", kind: "tokenize"),
        StageSpec(name: "base", kind: "pretrain-continue", upstream: ["tok"]),
        StageSpec(name: "lora", kind: "attach-adapters", upstream: ["base"]),
        StageSpec(name: "eval", kind: "evaluate", upstream: ["base"]),
    ])

    static func record(_ stage: String, key: String) -> StageRecord {
        StageRecord(key: key, kind: "k", stage: stage, params: [:], inputs: [:], upstream: [:], outputs: [:],
                    outputDigest: "digest-\(key)")
    }

    static func state(present: [String: StageRecord]) -> (String) -> ArtifactStore.EntryState {
        { key in present[key].map { .present($0) } ?? .absent }
    }

    @Test("An unselected upstream counts as its recorded result when the lock names an intact one, else it has none")
    func recordedResultOfAnUnselectedUpstream() {
        let stored = Self.record("base", key: "k-base")
        let lock = LockFile(recipe: "r", stages: ["base": stored])
        #expect(Planner.recordedResult(ofUnselected: "base", lock: lock, entryState: Self.state(present: ["k-base": stored])) == stored)
        #expect(Planner.recordedResult(ofUnselected: "base", lock: lock, entryState: Self.state(present: [:])) == nil)
        #expect(Planner.recordedResult(ofUnselected: "tok", lock: lock, entryState: Self.state(present: ["k-base": stored])) == nil)
    }

    @Test("The schedule and the planner resolve an unselected upstream the same way")
    func scheduleAndPlannerAgree() {
        let stored = Self.record("base", key: "k-base")
        let lock = LockFile(recipe: "r", stages: ["base": stored])
        for present in [["k-base": stored], [:]] {
            let state = Self.state(present: present)
            let selection = Planner.Selection(only: ["lora"])
            let selected = selection.selected(in: Self.graph)
            var schedule = RunSchedule(graph: Self.graph, selected: selected, needed: Self.graph.upstream(ofAll: selected),
                                       lock: lock, entryState: state)
            let plan = Planner.plan(Self.graph, lock: lock, inputHashes: [:], selection: selection, entryState: state)
            let planned = plan.first { $0.name == "base" }!
            #expect(schedule.records["base"] == planned.record)
            #expect(schedule.pending.map(\.name) == ["lora"])  // tok and base are upstreams outside the selection, eval not needed
            switch schedule.next(canStart: true) {
            case .ready(let spec)?: #expect(present.isEmpty == false && spec.name == "lora")
            case .blocked(let spec, let blocker)?: #expect(present.isEmpty && spec.name == "lora" && blocker == "base")
            case nil: Issue.record("lora was neither ready nor blocked")
            }
        }
    }

    @Test("The schedule hands out stages in order once their upstreams resolve, blocked ones even when no thread is free")
    func scheduleOrder() {
        var schedule = RunSchedule(graph: Self.graph, selected: Set(Self.graph.names), needed: Set(Self.graph.names),
                                   lock: LockFile(recipe: "r"), entryState: Self.state(present: [:]))
        guard case .ready(let tok)? = schedule.next(canStart: true) else { Issue.record("tok not ready"); return }
        #expect(tok.name == "tok")
        #expect(schedule.next(canStart: true) == nil)  // base waits for tok
        schedule.block("tok")
        guard case .blocked(let base, let blocker)? = schedule.next(canStart: false) else { Issue.record("base not blocked"); return }
        #expect(base.name == "base" && blocker == "tok")
        let rest = [schedule.next(canStart: false), schedule.next(canStart: false)].compactMap { next -> String? in
            if case .blocked(let spec, "base")? = next { return spec.name }
            return nil
        }
        #expect(rest == ["lora", "eval"])
        #expect(schedule.drain().isEmpty)
    }

    @Test("A failure stops scheduling unless the run keeps going; a corrupt upstream is recomputed once, then the stage fails")
    func failurePolicy() {
        var failFast = FailurePolicy(keepGoing: false)
        #expect(failFast.respond(to: StageFailure(message: "boom"), of: "base") == .fail)
        #expect(failFast.stopsScheduling)

        var keepGoing = FailurePolicy(keepGoing: true)
        let corrupt = StageFailure(message: "corrupt", corruptUpstream: "tok")
        #expect(keepGoing.respond(to: corrupt, of: "base") == .recompute(upstream: "tok"))
        #expect(!keepGoing.stopsScheduling)
        #expect(keepGoing.respond(to: corrupt, of: "base") == .fail)
        #expect(keepGoing.respond(to: corrupt, of: "lora") == .recompute(upstream: "tok"))
        #expect(!keepGoing.stopsScheduling)
        keepGoing.interrupt()
        #expect(keepGoing.stopsScheduling)

        let lora = Self.graph["lora"]!
        #expect(FailurePolicy.skipReason(for: lora, blocked: ["base"], cancelled: false) == "upstream 'base' did not produce a result")
        #expect(FailurePolicy.skipReason(for: lora, blocked: [], cancelled: false) == "an earlier stage failed")
        #expect(FailurePolicy.skipReason(for: lora, blocked: ["base"], cancelled: true) == "interrupted")
    }

    @Test("The lock reconciler keeps old entries of unselected stages, takes this run's for selected ones, and names mismatches")
    func lockReconciler() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-reconcile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("r.lock")
        try Data("{not json".utf8).write(to: url)
        let damaged = LockReconciler(url: url, recipe: "r")
        #expect(damaged.old.stages.isEmpty)
        #expect(damaged.damaged?.contains("is damaged") == true, "\(damaged.damaged ?? "")")

        let oldTok = Self.record("tok", key: "k-tok-old"), newTok = Self.record("tok", key: "k-tok")
        let oldBase = Self.record("base", key: "k-base")
        var edited = oldBase
        edited.metrics = ["val_loss": 9]
        _ = try LockFile(recipe: "r", stages: ["tok": oldTok, "base": edited]).write(to: url)
        let reconciler = LockReconciler(url: url, recipe: "r")
        #expect(reconciler.damaged == nil)
        let (lock, warnings) = reconciler.reconcile(
            graph: Self.graph, selected: ["base"], records: ["tok": newTok, "base": oldBase], upToDate: ["base"])
        #expect(lock.stages["tok"] == oldTok)    // not selected: the old entry stays
        #expect(lock.stages["base"] == oldBase)  // selected: this run's record
        #expect(warnings.count == 1 && warnings[0].contains("base"), "\(warnings)")
    }
}
