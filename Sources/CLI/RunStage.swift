import ArgumentParser
import Cluster
import Foundation
import Orchestration
import Recipes
import Stages

extension Lathe {
    /// What a Slurm job runs (``SlurmRunner``): one stage of a recipe into a given output folder. It
    /// publishes nothing; the `lathe run` that submitted the job checks and publishes the result.
    /// Under `mpirun` (a stage with `ranks:`), rank 0 runs the stage as `lathe run` would under MPI
    /// (``LeaderRunner``) and the other ranks follow it (``RankedRun``); only rank 0 writes.
    struct RunStage: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run-stage",
            abstract: "Run one stage into a work folder (used by `lathe run --executor slurm`).",
            shouldDisplay: false)

        @OptionGroup var recipe: RecipeOptions
        @Option var stage: String
        @Option var key: String
        @Option var out: String
        @Option var resume: String
        @Option var outcome: String
        @Option(help: "name=path of an upstream stage's published outputs (repeatable).")
        var upstream: [String] = []

        func run() throws {
            let ws = try Workspace.open(recipe, quiet: true)
            try ws.checkStageNames([stage])
            if Ranks.launcher() == nil, ws.recipe.stage(named: stage)?.params.deterministic == true { DeterministicKernels.pin(quiet: true) }
            let spec = ws.graph[stage]!
            var upstreamOutputs: [String: URL] = [:]
            for pair in upstream {
                guard let eq = pair.firstIndex(of: "=") else { throw ValidationError("--upstream wants name=path, got '\(pair)'.") }
                upstreamOutputs[String(pair[..<eq])] = URL(fileURLWithPath: String(pair[pair.index(after: eq)...]))
            }
            let cancel = CancellationFlag()
            let world = Ranks.world
            if world.isDistributed, !world.isWriter { return try RankedRun.followUntilTheEnd(ws, world: world, cancel: cancel) }
            let signals = SignalTrap(cancel: cancel) { printError("lathe run-stage: cancelled; stopping at the next safe point.") }
            var runner: any StageRunner = StageRegistry(recipe: ws.recipe)
            if let seconds = ProcessInfo.processInfo.environment["LATHE_TESTONLY_STAGE_SECONDS"].flatMap(Double.init) {
                runner = DelayedRunner(inner: runner, seconds: seconds)
            }
            let context = StageContext(
                key: key, outputDirectory: URL(fileURLWithPath: out), resumeDirectory: URL(fileURLWithPath: resume),
                projectRoot: ws.root, storeRoot: ws.store.root, upstreamOutputs: upstreamOutputs,
                report: { writeStdout(SlurmRunner.eventPrefix + StageEventLine.encode($0) + "\n") },
                isCancelled: { cancel.isSet })
            if world.isDistributed { runner = LeaderRunner(inner: runner, world: world) }
            /// Under MPI every rank ends with rank 0's status.
            func end(_ status: ExitCode) {
                guard world.isDistributed else { return }
                RankedRun.send(.init(status: status.rawValue), on: world)
                RankedRun.endedTogether = true
            }
            let result: StageOutcome
            do { result = try runner.run(spec, context: context) } catch {
                printError("lathe run-stage: stage '\(stage)' failed: \(error)")
                let status = cancel.isSet ? LatheExit.interrupted : LatheExit.stageFailed
                end(status)
                throw status
            }
            withExtendedLifetime(signals) {}
            do {
                try Data(StageEventLine.encodeOutcome(result).utf8).write(to: URL(fileURLWithPath: outcome), options: .atomic)
            } catch {
                end(LatheExit.stageFailed)
                throw error
            }
            end(ExitCode(0))
        }
    }
}
