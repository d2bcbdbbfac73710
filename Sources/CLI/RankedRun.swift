import ArgumentParser
import Cluster
import Foundation
import Orchestration
import Recipes
import Stages

/// `lathe run` under `mpirun`/`srun`: rank 0 runs the executor as usual (it alone holds the store lock
/// and writes the store, the lock file and the logs); training stages it executes are announced to
/// the other ranks, which run the same stage from the same inputs and share each optimizer step
/// (`GPTTrainer` with `Ranks.world`). Non-training stages run on rank 0 while the others wait.
/// The store must be on a file system every rank sees (the project folder on a shared disk).
enum RankedRun {
    /// Set once every rank knows the run's exit status (then all finalise MPI and exit with it).
    nonisolated(unsafe) static var endedTogether = false

    /// What rank 0 tells the others: run a training stage, or end with a status.
    struct Command: Codable {
        var stage: String?
        var key = ""
        var resume = ""
        var upstream: [String: String] = [:]
        var status: Int32?
    }

    static func send(_ command: Command, on world: Ranks) {
        let bytes = (try? JSONEncoder().encode(command)) ?? Data()
        _ = world.broadcast(Array(bytes))
    }

    /// Ranks other than 0 of `lathe run` and `lathe run-stage`: follows rank 0 (``follow(_:world:cancel:)``)
    /// with signals trapped into `cancel`, then ends with rank 0's status.
    /// - Throws: `ExitCode` with that status when it is not 0.
    static func followUntilTheEnd(_ ws: Workspace, world: Ranks, cancel: CancellationFlag) throws {
        let signals = SignalTrap(cancel: cancel) {}
        let status = follow(ws, world: world, cancel: cancel)
        withExtendedLifetime(signals) {}
        endedTogether = true
        if status != 0 { throw ExitCode(status) }
    }

    /// Ranks other than 0: runs announced training stages until rank 0 says the run ended; returns its
    /// exit status. Outputs go to a private folder that is deleted (rank 0 publishes).
    static func follow(_ ws: Workspace, world: Ranks, cancel: CancellationFlag) -> Int32 {
        let registry = StageRegistry(recipe: ws.recipe)
        while true {
            let bytes = world.broadcast([])
            guard let command = try? JSONDecoder().decode(Command.self, from: Data(bytes)) else {
                printError("lathe (rank \(world.rank)): rank 0 sent an unreadable command; stopping the job.")
                world.abort(status: 1)
                return 1
            }
            if let status = command.status { return status }
            guard let name = command.stage, let spec = ws.graph[name] else {
                printError("lathe (rank \(world.rank)): rank 0 asked for stage '\(command.stage ?? "")', which this rank's recipe lacks; every rank must run the same recipe.")
                world.abort(status: 1)
                return 1
            }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-rank\(world.rank)-\(UUID().uuidString)")
            let context = StageContext(
                key: command.key, outputDirectory: scratch.appendingPathComponent("out"),
                resumeDirectory: URL(fileURLWithPath: command.resume), projectRoot: ws.root, storeRoot: ws.store.root,
                upstreamOutputs: command.upstream.mapValues { URL(fileURLWithPath: $0) },
                report: { _ in }, isCancelled: { cancel.isSet })
            RankSync.shared.begin()
            do {
                try FileManager.default.createDirectory(at: context.outputDirectory, withIntermediateDirectories: true)
                _ = try registry.run(spec, context: context)
            } catch is StageCancelled {
                // rank 0 saves the checkpoint and reports the interrupt
            } catch {
                RankSync.shared.abandon()
                printError("lathe (rank \(world.rank)): stage '\(name)': \(error)")
            }
            try? FileManager.default.removeItem(at: scratch)
        }
    }
}
