import Foundation
import Orchestration
import Testing
import TestSupport

@Suite struct ExecutorTests {
    @Test func firstRunExecutesEveryStageInDependencyOrder() throws {
        let h = Harness()
        let summary = try h.run()
        #expect(Set(summary.executed) == ["tok", "base", "sibling", "clinic", "lora", "report"])
        let order = h.runner.executionOrder
        #expect(order.firstIndex(of: "tok")! < order.firstIndex(of: "base")!)
        #expect(order.firstIndex(of: "clinic")! < order.firstIndex(of: "report")!)
        #expect(summary.lockWritten)
    }

    @Test func secondRunExecutesNothingReadsNoDataAndWritesNothing() throws {
        let h = Harness()
        try h.run()
        let lockBefore = try Data(contentsOf: h.lockURL)
        let lockDate = try FileManager.default.attributesOfItem(atPath: h.lockURL.path)[.modificationDate] as! Date
        let summary = try h.run()
        #expect(summary.executed.isEmpty)
        #expect(h.runner.totalExecutions == 0)
        #expect(summary.upToDate.count == 6)
        #expect(summary.filesHashed == 0)
        #expect(!summary.lockWritten)
        #expect(try Data(contentsOf: h.lockURL) == lockBefore)
        #expect(try FileManager.default.attributesOfItem(atPath: h.lockURL.path)[.modificationDate] as! Date == lockDate)
    }

    @Test func paramChangeRerunsThatStageAndItsDownstreamButNotSiblings() throws {
        let h = Harness()
        try h.run()
        h.set("base", "learning_rate", "0.0001")
        let summary = try h.run()
        #expect(Set(summary.executed) == ["base", "clinic", "lora", "report"])
        #expect(Set(summary.upToDate) == ["tok", "sibling"])
    }

    @Test func revertingAChangeRestoresFromTheStoreWithZeroExecutions() throws {
        let h = Harness()
        try h.run()
        let original = try String(contentsOf: h.lockURL, encoding: .utf8)
        h.set("base", "learning_rate", "0.0001")
        try h.run()
        h.set("base", "learning_rate", "0.0003")
        let summary = try h.run()
        #expect(h.runner.totalExecutions == 0)
        #expect(Set(summary.restored) == ["base", "clinic", "lora", "report"])
        #expect(try String(contentsOf: h.lockURL, encoding: .utf8) == original)
    }

    @Test func identicalUpstreamOutputStopsTheCascade() throws {
        let h = Harness()
        try h.run()
        // An `ignored…` param changes base's key, but the recording runner writes the same bytes.
        h.set("base", "ignored_note", "x")
        let summary = try h.run()
        #expect(summary.executed == ["base"])
        #expect(Set(summary.upToDate) == ["tok", "sibling", "clinic", "lora", "report"])
    }

    @Test func changedInputFileRerunsItsReaders() throws {
        let h = Harness()
        try h.run()
        h.project.write("pipelines/data/clinic.txt", "clinic text, second edition\n")
        let summary = try h.run()
        #expect(Set(summary.executed) == ["clinic", "report"])
        #expect(summary.filesHashed == 1)
    }

    @Test func renamingStagesChangesNoKey() throws {
        let h = Harness()
        try h.run()
        let keysBefore = try LockFile.read(from: h.lockURL, recipe: "demo").stages.mapValues(\.key)
        // Rename 'base' to 'foundation' everywhere it is named.
        for i in h.specs.indices {
            if h.specs[i].name == "base" { h.specs[i].name = "foundation" }
            for (k, v) in h.specs[i].params where v == "base" { h.specs[i].params[k] = "foundation" }
            h.specs[i] = StageSpec(name: h.specs[i].name, kind: h.specs[i].kind, params: h.specs[i].params,
                                   referenceKeys: h.specs[i].referenceKeys, inputs: h.specs[i].inputs,
                                   upstream: h.specs[i].upstream.map { $0 == "base" ? "foundation" : $0 })
        }
        let summary = try h.run()
        #expect(h.runner.totalExecutions == 0)
        let keysAfter = try LockFile.read(from: h.lockURL, recipe: "demo").stages.mapValues(\.key)
        #expect(keysAfter["foundation"] == keysBefore["base"])
        #expect(keysAfter["clinic"] == keysBefore["clinic"])
        #expect(summary.restored.contains("foundation"))
    }

    @Test func failFastStopsNewStagesAndSkipsDependents() throws {
        let h = Harness(runner: RecordingStageRunner(failing: ["base"]))
        let summary = try h.run()
        #expect(summary.failed == ["base"])
        #expect(Set(summary.skipped).isSuperset(of: ["clinic", "lora", "report"]))
        #expect(h.runner.executions(of: "clinic") == 0)
        // The finished stage is recorded; the failed one is not.
        let lock = try LockFile.read(from: h.lockURL, recipe: "demo")
        #expect(lock.stages["tok"] != nil)
        #expect(lock.stages["base"] == nil)
    }

    @Test func keepGoingFinishesIndependentBranches() throws {
        let h = Harness(runner: RecordingStageRunner(failing: ["base"]))
        let summary = try h.run(.init(keepGoing: true))
        #expect(summary.failed == ["base"])
        #expect(summary.executed.contains("sibling"))
        #expect(Set(summary.skipped) == ["clinic", "lora", "report"])
    }

    @Test func independentStagesRunSideBySideWithJobs() throws {
        let h = Harness(runner: RecordingStageRunner(delay: 0.2))
        try h.run(.init(jobs: 3))
        #expect(h.runner.maxConcurrent >= 2)
    }

    @Test func onlyRunsTheNamedStageAgainstRecordedUpstreams() throws {
        let h = Harness()
        try h.run()
        h.set("clinic", "learning_rate", "0.01")
        h.set("lora", "lora_r", "16")
        let summary = try h.run(.init(selection: .init(only: ["lora"])))
        #expect(summary.executed == ["lora"])
        // clinic stays as recorded, still stale.
        #expect(try h.plan()["clinic"] == "learning_rate set to 0.01")
    }

    @Test func untilRunsTheStageAndItsUpstreamsOnly() throws {
        let h = Harness()
        let summary = try h.run(.init(selection: .init(until: "clinic")))
        #expect(Set(summary.executed) == ["tok", "base", "clinic"])
    }

    @Test func forceRerunsAndEarlyCutoffKeepsDownstream() throws {
        let h = Harness()
        try h.run()
        let summary = try h.run(.init(selection: .init(force: ["base"])))
        #expect(summary.executed == ["base"])
        #expect(summary.upToDate.contains("clinic"))
    }

    @Test func removedStagesLeaveTheLockFile() throws {
        let h = Harness()
        try h.run()
        h.specs.removeAll { $0.name == "report" }
        try h.run()
        #expect(try LockFile.read(from: h.lockURL, recipe: "demo").stages["report"] == nil)
    }

    @Test func cancelledRunStartsNoNewStage() throws {
        let h = Harness()
        let flag = CancellationFlag()
        flag.set()
        let summary = try h.run(cancel: flag)
        #expect(summary.executed.isEmpty)
        #expect(h.runner.totalExecutions == 0)
    }
}
