public import Foundation

/// The four requests of Bazel's HTTP cache protocol, on paths relative to the remote's base URL
/// (`cas/<sha256>`, `ac/<key>`). `RemoteHTTP.HTTPCacheTransport` speaks them over HTTP; tests may wrap it.
///
/// Errors are ``OrchestrationError/remoteUnreachable(url:reason:)`` (connection refused, timeouts after
/// the retries; the run continues without the remote) and ``OrchestrationError/remoteRefused(url:status:hint:)``
/// (the server answered with an error status). Never put credentials in a message.
public protocol CacheTransport: Sendable {
    /// The remote's base URL without credentials, for messages.
    var displayURL: String { get }
    /// `HEAD path`: true on 200, false on 404.
    func exists(_ path: String) throws(OrchestrationError) -> Bool
    /// `GET path` into `file` (created or replaced). - Returns: false on 404 (nothing written).
    func download(_ path: String, to file: URL) throws(OrchestrationError) -> Bool
    /// `PUT path` with the bytes of `file`, streamed.
    func upload(_ path: String, fromFile file: URL) throws(OrchestrationError)
}
