import Foundation
import Orchestration
import RemoteHTTP
import TestSupport

/// One "machine": its own project checkout and store, running the same three-stage chain
/// (`tok → base → lora`) with a ``RecordingStageRunner``.
final class Machine: @unchecked Sendable {
    let project = TemporaryProject()
    let runner = RecordingStageRunner()
    var events: [Executor.Event] { lock.withLock { log } }
    private let lock = NSLock()
    private var log: [Executor.Event] = []

    init(text: String = "general text\n") {
        project.write("pipelines/data/general.txt", text)
    }

    var store: ArtifactStore { ArtifactStore(root: project.store) }

    static let specs = [
        StageSpec(name: "tok", kind: "tokenize", params: ["vocab_size": "512"], inputs: ["pipelines/data/general.txt"]),
        StageSpec(name: "base", kind: "pretrain-continue", params: ["tokenizer": "tok"], referenceKeys: ["tokenizer"], upstream: ["tok"]),
        StageSpec(name: "lora", kind: "attach-adapters", params: ["from": "base", "lora_r": "8"], referenceKeys: ["from"], upstream: ["base"]),
    ]

    func run(remote: RemoteCache?, forceAll: Bool = false) throws -> Executor.Summary {
        runner.reset()
        lock.withLock { log = [] }
        let executor = Executor(
            graph: try PipelineGraph(Machine.specs), store: store, projectRoot: project.root,
            lockURL: project.root.appendingPathComponent("pipelines/chain.lock"), recipeName: "chain", runner: runner, remote: remote)
        return try executor.run(options: .init(selection: .init(forceAll: forceAll))) { [self] event in lock.withLock { log.append(event) } }
    }

    /// Keys of the published entries, by stage, from the lock file of the last run.
    func keys() throws -> [String: String] {
        let lockFile = try LockFile.read(from: project.root.appendingPathComponent("pipelines/chain.lock"), recipe: "chain")
        return lockFile.stages.mapValues(\.key)
    }

    /// Notes the run reported (`remote cache: …`).
    var notes: [String] {
        events.compactMap { if case .progress(_, let event) = $0 { return event.message } else { return nil } }
    }
}

func remote(_ server: NginxServer, environment: [String: String] = [:], attempts: Int = 2) throws -> RemoteCache {
    RemoteCache(transport: try HTTPCacheTransport(url: server.url, environment: environment, attempts: attempts))
}
