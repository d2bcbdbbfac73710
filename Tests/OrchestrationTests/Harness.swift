import Foundation
import Orchestration
import TestSupport

/// A pipeline of ``StageSpec``s over a temporary project with a ``RecordingStageRunner``.
///
/// The default graph (data flows down):
///
///     data/general.txt
///          │
///        tok ──────────┐
///          │           │
///        base        sibling
///        ┌─┴──┐
///     clinic  lora
///        │
///      report
final class Harness: @unchecked Sendable {
    let project = TemporaryProject()
    let runner: RecordingStageRunner
    var specs: [StageSpec]
    var events: [Executor.Event] { eventLog.all }
    let eventLog = EventLog()

    init(runner: RecordingStageRunner = RecordingStageRunner()) {
        self.runner = runner
        project.write("pipelines/data/general.txt", "general text\n")
        project.write("pipelines/data/clinic.txt", "clinic text\n")
        specs = [
            StageSpec(name: "tok", kind: "tokenize", params: ["vocab_size": "512", "datasets[0].path": "pipelines/data/general.txt"],
                      inputs: ["pipelines/data/general.txt"]),
            StageSpec(name: "base", kind: "pretrain-continue", params: ["learning_rate": "0.0003", "tokenizer": "tok", "from": "scratch"],
                      referenceKeys: ["tokenizer"], upstream: ["tok"]),
            StageSpec(name: "sibling", kind: "pretrain-continue", params: ["learning_rate": "0.001", "tokenizer": "tok"],
                      referenceKeys: ["tokenizer"], upstream: ["tok"]),
            StageSpec(name: "clinic", kind: "domain-adapt", params: ["from": "base", "datasets[0].path": "pipelines/data/clinic.txt"],
                      referenceKeys: ["from"], inputs: ["pipelines/data/clinic.txt"], upstream: ["base"]),
            StageSpec(name: "lora", kind: "attach-adapters", params: ["from": "base", "lora_r": "8"],
                      referenceKeys: ["from"], upstream: ["base"]),
            StageSpec(name: "report", kind: "evaluate", params: ["models[0]": "clinic"],
                      referenceKeys: ["models[0]"], upstream: ["clinic"]),
        ]
    }

    var store: ArtifactStore { ArtifactStore(root: project.store) }
    var lockURL: URL { project.root.appendingPathComponent("pipelines/demo.lock") }

    func graph() throws -> PipelineGraph { try PipelineGraph(specs) }

    func set(_ stage: String, _ key: String, _ value: String) {
        let i = specs.firstIndex { $0.name == stage }!
        specs[i].params[key] = value
    }

    @discardableResult
    func run(_ options: Executor.Options = .init(), cancel: CancellationFlag = CancellationFlag()) throws -> Executor.Summary {
        runner.reset()
        eventLog.clear()
        let executor = Executor(graph: try graph(), store: store, projectRoot: project.root, lockURL: lockURL,
                                recipeName: "demo", runner: runner, cancel: cancel)
        let log = eventLog
        return try executor.run(options: options) { log.append($0) }
    }

    func plan(_ selection: Planner.Selection = .all) throws -> [String: String] {
        let graph = try graph()
        let lock = try LockFile.read(from: lockURL, recipe: "demo")
        let hashes = try Executor.hashInputs(of: graph, needed: Set(graph.names), projectRoot: project.root,
                                             cache: HashCache(fileURL: store.hashCacheURL))
        let store = self.store
        var out: [String: String] = [:]
        for p in Planner.plan(graph, lock: lock, inputHashes: hashes, selection: selection, entryState: store.state(of:)) {
            out[p.name] = p.action.description
        }
        return out
    }
}

final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Executor.Event] = []
    func append(_ e: Executor.Event) { lock.withLock { items.append(e) } }
    func clear() { lock.withLock { items = [] } }
    var all: [Executor.Event] { lock.withLock { items } }
}
