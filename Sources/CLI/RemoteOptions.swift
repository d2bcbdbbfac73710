import ArgumentParser
import Foundation
import Orchestration
import Recipes
import RemoteHTTP

/// `--remote URL` (else `$LATHE_REMOTE`, else `remote:` of the recipe or a config file): the shared HTTP
/// cache (Bazel's protocol) results are restored from and sent to. Credentials only from the environment
/// (`LATHE_REMOTE_TOKEN`, or `LATHE_REMOTE_USER` + `LATHE_REMOTE_PASSWORD`).
struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Remote cache base URL (default: $LATHE_REMOTE, else remote: of the recipe or config file); credentials from $LATHE_REMOTE_TOKEN or $LATHE_REMOTE_USER/$LATHE_REMOTE_PASSWORD.",
        valueName: "URL"))
    var remote: String?

    /// The run-settings layer of the command line.
    var layer: RunSettingsLayer {
        var layer = RunSettingsLayer()
        if let remote {
            layer.remote = remote
            layer.origins["remote"] = "--remote"
        }
        return layer
    }

    /// The remote of `settings`, or nil when none is configured. Exits 64 on a malformed URL or credentials.
    func open(_ settings: RunSettings) throws -> RemoteCache? {
        let environment = ProcessInfo.processInfo.environment
        guard let url = settings.remote else { return nil }
        do {
            return RemoteCache(transport: try HTTPCacheTransport(url: url, environment: environment))
        } catch {
            printError("lathe: \(error)")
            throw LatheExit.usage
        }
    }
}
