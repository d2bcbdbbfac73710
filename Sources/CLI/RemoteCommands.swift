import ArgumentParser
import Foundation
import Orchestration
import Recipes
import Stages

extension Lathe {
    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a recipe's recorded results to the remote cache.",
            discussion: """
                Uploads the store entry of every stage in the recipe's lock file: each output blob the \
                remote lacks (HEAD, then PUT to /cas/<sha256>), then the entry (/ac/<key>). Every output \
                is rehashed first, so a damaged local entry is never shared.

                Examples:
                  lathe push pipelines/demo.yaml --remote http://cache.example:8080/lathe
                  LATHE_REMOTE=http://cache.example:8080/lathe lathe push pipelines/demo.yaml
                """)

        @OptionGroup var recipe: RecipeOptions
        @OptionGroup var remoteOptions: RemoteOptions

        func run() throws {
            let ws = try Workspace.open(recipe, quiet: true)
            guard let remote = try remoteOptions.open(ws.runSettings(cli: remoteOptions.layer)) else {
                printError("lathe: push needs a remote cache: pass --remote URL, set LATHE_REMOTE, or set remote: in the recipe or a config file (docs/team-setup.md).")
                throw LatheExit.usage
            }
            let lock = try ws.readLock()
            let storeLock: StoreLock
            do { storeLock = try StoreLock(store: ws.store.root, wait: true) { printError("lathe: waiting for \($0)…") } } catch {
                printError("lathe: \(error)")
                throw LatheExit.stageFailed
            }
            var failed = 0, pushed = 0
            var bytes: Int64 = 0
            let start = Date()
            for name in ws.graph.names {
                guard let entry = lock.stages[name] else {
                    printError("  \(name): no recorded result (run it first)")
                    continue
                }
                do {
                    let sent = try remote.upload(entry.key, from: ws.store, verify: true)
                    pushed += 1
                    bytes += sent.bytesSent
                    printError("  \(name): \(sent.blobsSent) blob\(sent.blobsSent == 1 ? "" : "s") sent (\(RemoteCache.megabytes(sent.bytesSent))), \(sent.blobsPresent) already there")
                } catch {
                    failed += 1
                    printError("✘ \(name): \(error)")
                    if case .remoteUnreachable = error { break }
                }
            }
            withExtendedLifetime(storeLock) {}
            let seconds = Date().timeIntervalSince(start)
            printError("lathe: pushed \(pushed) stage\(pushed == 1 ? "" : "s") (\(RemoteCache.megabytes(bytes)) in \(String(format: "%.2f", seconds)) s) to \(remote.transport.displayURL)\(failed > 0 ? "; \(failed) failed" : "")")
            if failed > 0 { throw LatheExit.stageFailed }
        }
    }

    struct Pull: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore a recipe's results from the remote cache without running anything.",
            discussion: """
                Resolves the recipe like `lathe run`, but a stage that is neither in the local store nor \
                in the remote cache is reported instead of run (and its dependents are skipped). Every \
                downloaded blob's SHA-256 is checked before it enters the store.

                Examples:
                  lathe pull pipelines/demo.yaml --remote http://cache.example:8080/lathe
                """)

        @OptionGroup var recipe: RecipeOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var remoteOptions: RemoteOptions

        func run() throws {
            let started = Date()
            let ws = try Workspace.open(recipe, quiet: output.quiet)
            guard let remote = try remoteOptions.open(ws.runSettings(cli: remoteOptions.layer)) else {
                printError("lathe: pull needs a remote cache: pass --remote URL, set LATHE_REMOTE, or set remote: in the recipe or a config file (docs/team-setup.md).")
                throw LatheExit.usage
            }
            let storeLock: StoreLock
            do { storeLock = try StoreLock(store: ws.store.root, wait: true) { printError("lathe: waiting for \($0)…") } } catch {
                printError("lathe: \(error)")
                throw LatheExit.stageFailed
            }
            let renderer = ProgressRenderer(format: output.logFormat, quiet: output.quiet)
            let executor = Executor(graph: ws.graph, store: ws.store, projectRoot: ws.root, lockURL: ws.lockURL,
                                    recipeName: ws.recipe.name, runner: NotInRemoteRunner(url: remote.transport.displayURL), remote: remote)
            let summary: Executor.Summary
            do { summary = try executor.run(options: .init(keepGoing: true)) { renderer.handle($0) } } catch {
                printError("lathe: \(error)")
                throw LatheExit.stageFailed
            }
            withExtendedLifetime(storeLock) {}
            for warning in summary.warnings { printError("lathe: warning: \(warning)") }
            renderer.summary(summary, seconds: Date().timeIntervalSince(started), lockPath: relative(ws.lockURL, to: ws.root))
            if !summary.succeeded { throw LatheExit.stageFailed }
        }
    }
}

/// `lathe pull`'s runner: a stage that reaches it was in neither store, and pull trains nothing.
struct NotInRemoteRunner: StageRunner {
    let url: String
    func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        throw StageError.invalidInput("its result is in neither this store nor the remote cache \(url); pull runs nothing: `lathe run` computes it.")
    }
}
