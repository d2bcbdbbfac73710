import ArgumentParser
import Foundation
import Orchestration
import RemoteHTTP

/// `--remote URL` (else `$LATHE_REMOTE`): the shared HTTP cache (Bazel's protocol) results are restored
/// from and sent to. Credentials only from the environment (`LATHE_REMOTE_TOKEN`, or
/// `LATHE_REMOTE_USER` + `LATHE_REMOTE_PASSWORD`).
struct RemoteOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Remote cache base URL (default: $LATHE_REMOTE); credentials from $LATHE_REMOTE_TOKEN or $LATHE_REMOTE_USER/$LATHE_REMOTE_PASSWORD.",
        valueName: "URL"))
    var remote: String?

    /// The configured remote, or nil when none is. Exits 64 on a malformed URL or credentials.
    func open() throws -> RemoteCache? {
        let environment = ProcessInfo.processInfo.environment
        guard let url = remote ?? environment["LATHE_REMOTE"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        do {
            return RemoteCache(transport: try HTTPCacheTransport(url: url, environment: environment))
        } catch {
            printError("lathe: \(error)")
            throw LatheExit.usage
        }
    }
}
