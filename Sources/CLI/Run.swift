import ArgumentParser
import Cluster
import Dispatch
import Foundation
import Orchestration
import Recipes
import Stages
#if canImport(Glibc)
import Glibc
#endif

extension Lathe {
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a recipe, executing only the stages whose inputs changed.",
            discussion: """
                Examples:
                  lathe run pipelines/demo.yaml
                  lathe run pipelines/demo.yaml --until glassvine --jobs 2
                  lathe run pipelines/demo.yaml --force glassvine --set stages.glassvine.lora_r=16
                  lathe run pipelines/demo.yaml --dry-run
                  lathe run pipelines/demo.yaml --remote http://cache.example:8080/lathe
                """)

        @OptionGroup var recipe: RecipeOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var remoteOptions: RemoteOptions

        @Option(help: ArgumentHelp("Run only this stage, against its upstreams' recorded results (repeatable).", valueName: "STAGE"))
        var only: [String] = []
        @Option(help: ArgumentHelp("Run this stage and everything it reads from.", valueName: "STAGE"))
        var until: String?
        @Option(help: ArgumentHelp("Rerun this stage even if it is up to date (repeatable).", valueName: "STAGE"))
        var force: [String] = []
        @Flag(help: "Rerun every selected stage.")
        var forceAll = false
        @Flag(help: "Print what would run, and why, without running anything.")
        var dryRun = false
        @Option(name: .shortAndLong, help: "Stages to run side by side when independent (default 1; with --executor slurm, 64).")
        var jobs: Int?
        @Option(help: "local or slurm (each stage becomes one sbatch job against this store, a shared path); default: $LATHE_EXECUTOR, else executor: of the recipe or a config file, else local.",
                transform: { text in
                    guard let kind = ExecutorKind(rawValue: text) else { throw ValidationError("--executor must be 'local' or 'slurm', got '\(text)'.") }
                    return kind
                })
        var executor: ExecutorKind?
        @OptionGroup var slurm: SlurmOptions
        @Flag(help: "After a failure, let independent stages finish (default: stop starting new ones).")
        var keepGoing = false
        @Flag(help: "Fail at once (exit 75) if another lathe process holds the store, instead of waiting.")
        var noWait = false

        func validate() throws {
            if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1.") }
            try slurm.validate()
            if !only.isEmpty && until != nil { throw ValidationError("--only and --until cannot be combined; pick one.") }
        }

        func run() throws {
            let started = Date()
            let world = Ranks.world
            let ws = try Workspace.open(recipe, quiet: output.quiet || !world.isWriter)
            try ws.checkStageNames(only + force + (until.map { [$0] } ?? []))
            let selection = Planner.Selection(only: only.isEmpty ? nil : Set(only), until: until, force: Set(force), forceAll: forceAll)
            // a forced stage the selection does not run would be silently ignored
            let selected = selection.selected(in: ws.graph)
            if let outside = force.first(where: { !selected.contains($0) }) {
                let chosen = only.isEmpty ? "--until \(until ?? "")" : "--only " + only.joined(separator: " --only ")
                throw ValidationError("--force \(outside) names a stage that \(chosen) does not run. Add it to the selection or drop --force \(outside).")
            }
            var cli = slurm.layer.over(remoteOptions.layer)
            if let executor {
                cli.executor = executor
                cli.origins["executor"] = "--executor"
            }
            let settings = try ws.runSettings(cli: cli)
            if Ranks.launcher() == nil, !dryRun,  // never re-exec inside an MPI job (set OPENBLAS_CORETYPE there)
               ws.recipe.stages.contains(where: { selected.contains($0.name) && $0.params.deterministic }) {
                DeterministicKernels.pin(quiet: output.quiet)
            }
            // the data files' first records against their types, as `lathe validate` reads them all
            let dataProblems = DatasetPreflight.check(ws.recipe, root: ws.root, recipePath: recipe.recipe, stages: selected,
                                                      firstRecords: DatasetPreflight.firstRecords)
            if !dataProblems.isEmpty {
                if world.isWriter {
                    for problem in dataProblems { printError(problem.description) }
                    let n = dataProblems.count
                    printError("lathe: \(recipe.recipe) has \(n) data error\(n == 1 ? "" : "s"); nothing was run.")
                }
                throw LatheExit.usage
            }
            if dryRun {
                let hosts = world.allGather(ProcessInfo.processInfo.hostName)
                guard world.isWriter else { return }
                let plan = try ws.plan(selection)
                StatusTable.print(plan, format: output.logFormat)
                if world.isDistributed { writeStdout(RankLayout.describe(recipe: ws.recipe, root: ws.root, hosts: hosts)) }
                if settings.executor == .slurm { writeStdout(slurmRunner(ws, settings).describe(plan)) }
                return
            }
            guard world.isDistributed else { return try execute(ws, settings: settings, selection: selection, started: started, jobs: jobs, leader: nil) }
            guard world.isWriter else {
                // Ranks ≥ 1 train the stages rank 0 announces and end with its status.
                return try RankedRun.followUntilTheEnd(ws, world: world, cancel: CancellationFlag())
            }
            if let jobs, jobs > 1, !output.quiet { printError("lathe: under MPI stages run one at a time (--jobs \(jobs) ignored): every rank takes part in each training stage.") }
            do {
                try execute(ws, settings: settings, selection: selection, started: started, jobs: 1, leader: world)
            } catch {
                RankedRun.send(.init(status: (error as? ExitCode)?.rawValue ?? 1), on: world)
                RankedRun.endedTogether = true
                throw error
            }
            RankedRun.send(.init(status: 0), on: world)
            RankedRun.endedTogether = true
        }

        /// Takes the store lock and runs the executor; under MPI (`leader`, rank 0) training stages are
        /// announced to the other ranks.
        func execute(_ ws: Workspace, settings: RunSettings, selection: Planner.Selection, started: Date, jobs: Int?, leader: Ranks?) throws {
            let renderer = ProgressRenderer(format: output.logFormat, quiet: output.quiet)
            let storeLock: StoreLock
            do {
                storeLock = try StoreLock(store: ws.store.root, wait: !noWait) { holder in
                    printError("lathe: waiting for \(holder), which is using \(ws.store.root.path)…")
                }
            } catch {
                printError("lathe: \(error)")
                if case .storeBusy = error { throw LatheExit.busy }
                throw LatheExit.stageFailed
            }
            let cancel = CancellationFlag()
            let signals = SignalTrap(cancel: cancel) {
                printError("\nlathe: interrupted; finishing the running stage's step and publishing nothing half-done (press Ctrl-C again to stop at once).")
            }
            var runner: any StageRunner = StageRegistry(recipe: ws.recipe)
            if settings.executor == .slurm {
                runner = slurmRunner(ws, settings)
            } else if let seconds = ProcessInfo.processInfo.environment["LATHE_TESTONLY_STAGE_SECONDS"].flatMap(Double.init) {
                runner = DelayedRunner(inner: runner, seconds: seconds)
            }
            let remote = try remoteOptions.open(settings)
            if let leader { runner = LeaderRunner(inner: runner, world: leader) }
            let executor = Executor(graph: ws.graph, store: ws.store, projectRoot: ws.root, lockURL: ws.lockURL,
                                    recipeName: ws.recipe.name, runner: runner, cancel: cancel, remote: remote)
            let summary: Executor.Summary
            do {
                summary = try executor.run(options: .init(jobs: jobs ?? (settings.executor == .slurm ? 64 : 1), keepGoing: keepGoing, selection: selection)) {
                    renderer.handle($0)
                }
            } catch {
                printError("lathe: \(error)")
                throw LatheExit.stageFailed
            }
            withExtendedLifetime((storeLock, signals)) {}
            for warning in summary.warnings { printError("lathe: warning: \(warning)") }
            renderer.summary(summary, seconds: Date().timeIntervalSince(started), lockPath: relative(ws.lockURL, to: ws.root))
            if cancel.isSet { throw LatheExit.interrupted }
            if !summary.succeeded { throw LatheExit.stageFailed }
        }

        func slurmRunner(_ ws: Workspace, _ settings: RunSettings) -> SlurmRunner {
            SlurmRunner(recipe: ws.recipe, recipePath: ws.recipeURL.path, projectRoot: ws.root, overrides: recipe.overrides,
                        settings: settings, lathe: CommandLine.executablePath)
        }
    }
}
