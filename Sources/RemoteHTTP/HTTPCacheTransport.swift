public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Orchestration

/// Bazel's HTTP cache protocol over URLSession (FoundationNetworking on Linux, libcurl underneath):
/// `HEAD`/`GET`/`PUT` of `<base>/cas/<sha256>` and `<base>/ac/<key>`, served by nginx WebDAV,
/// bazel-remote or any server that stores what is PUT.
///
/// Credentials come only from the environment — `LATHE_REMOTE_TOKEN` (a bearer token) or
/// `LATHE_REMOTE_USER` + `LATHE_REMOTE_PASSWORD` (basic auth) — and are never written to disk or into a
/// message; a URL with credentials in it is refused. Each request has a timeout (`LATHE_REMOTE_TIMEOUT`
/// seconds, default 30) and is retried (`attempts`, with 0.2 s, 0.8 s… back-off) when the connection fails,
/// times out or the server answers 5xx; after that it throws ``OrchestrationError/remoteUnreachable(url:reason:)``.
public final class HTTPCacheTransport: CacheTransport, @unchecked Sendable {
    public let base: URL
    public let displayURL: String
    let authorization: String?
    let attempts: Int
    let session: URLSession

    /// - Parameters:
    ///   - url: the base URL (`http://host:port/lathe`), without credentials.
    ///   - environment: where the credentials and the timeout are read from.
    ///   - attempts: tries per request (≥ 1).
    /// - Throws: ``OrchestrationError/remoteConfiguration(_:)`` for a malformed URL, credentials in it, or a
    ///   user without a password.
    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment, attempts: Int = 3) throws(OrchestrationError) {
        var text = url
        while text.hasSuffix("/") { text.removeLast() }
        guard let parsed = URL(string: text), let scheme = parsed.scheme?.lowercased(), ["http", "https"].contains(scheme), parsed.host != nil else {
            throw .remoteConfiguration("remote cache URL '\(url)' is not an http:// or https:// URL (e.g. http://cache.example:8080/lathe).")
        }
        guard parsed.user == nil, parsed.password == nil else {
            throw .remoteConfiguration("the remote cache URL carries credentials; remove them from the URL and set LATHE_REMOTE_TOKEN (bearer) or LATHE_REMOTE_USER and LATHE_REMOTE_PASSWORD (basic) in the environment instead, so they are never written to a file or a log.")
        }
        base = parsed
        displayURL = text
        if let token = environment["LATHE_REMOTE_TOKEN"], !token.isEmpty {
            authorization = "Bearer " + token
        } else if let user = environment["LATHE_REMOTE_USER"], !user.isEmpty {
            guard let password = environment["LATHE_REMOTE_PASSWORD"] else {
                throw .remoteConfiguration("LATHE_REMOTE_USER is set but LATHE_REMOTE_PASSWORD is not; set both for basic auth (or LATHE_REMOTE_TOKEN for a bearer token).")
            }
            authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        } else {
            authorization = nil
        }
        var timeout = 30.0
        if let raw = environment["LATHE_REMOTE_TIMEOUT"] {
            guard let value = Double(raw), value > 0, value <= 3600 else {
                throw .remoteConfiguration("LATHE_REMOTE_TIMEOUT='\(raw)' is not a number of seconds in (0, 3600].")
            }
            timeout = value
        }
        self.attempts = max(1, attempts)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = max(timeout, 3600)
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = 4
        session = URLSession(configuration: configuration)
    }

    deinit { session.finishTasksAndInvalidate() }

    public func exists(_ path: String) throws(OrchestrationError) -> Bool {
        let status = try perform(request("HEAD", path)) { request, done in
            session.dataTask(with: request) { _, response, error in done(response, error) }
        }
        switch status {
        case 200...299: return true
        case 404: return false
        default: throw refused(path, status)
        }
    }

    public func download(_ path: String, to file: URL) throws(OrchestrationError) -> Bool {
        let moveError = LockedBox<String?>(nil)
        let status = try perform(request("GET", path)) { request, done in
            session.downloadTask(with: request) { location, response, error in
                // Move a 200's body to `file` now. Every other answer's body (nginx's 404 page) is deleted
                // here: FoundationNetworking leaves it in $TMPDIR as <UUID>.tmp, one file per cache miss.
                if let location {
                    if error == nil, (response as? HTTPURLResponse)?.statusCode == 200 {
                        do {
                            try? FileManager.default.removeItem(at: file)
                            try FileManager.default.moveItem(at: location, to: file)
                        } catch {
                            moveError.value = error.localizedDescription
                        }
                    }
                    try? FileManager.default.removeItem(at: location)
                }
                done(response, error)
            }
        }
        if let why = moveError.value { throw .storeIO(path: file.path, reason: why) }
        switch status {
        case 200: return true
        case 404: return false
        default: throw refused(path, status)
        }
    }

    public func upload(_ path: String, fromFile file: URL) throws(OrchestrationError) {
        guard FileManager.default.isReadableFile(atPath: file.path) else {
            throw .storeIO(path: file.path, reason: "cannot read the file to upload")
        }
        var put = request("PUT", path)
        put.setValue("application/octet-stream", forHTTPHeaderField: "Content-Type")
        let status = try perform(put) { request, done in
            session.uploadTask(with: request, fromFile: file) { _, response, error in done(response, error) }
        }
        guard (200...299).contains(status) else { throw refused(path, status) }
    }

    // MARK: - Requests

    func request(_ method: String, _ path: String) -> URLRequest {
        var r = URLRequest(url: base.appendingPathComponent(path))
        r.httpMethod = method
        if let authorization { r.setValue(authorization, forHTTPHeaderField: "Authorization") }
        return r
    }

    func refused(_ path: String, _ status: Int) -> OrchestrationError {
        let hint: String
        switch status {
        case 401, 403:
            hint = authorization == nil
                ? "The server wants credentials: set LATHE_REMOTE_TOKEN, or LATHE_REMOTE_USER and LATHE_REMOTE_PASSWORD."
                : "The server refused the credentials from LATHE_REMOTE_TOKEN / LATHE_REMOTE_USER; check them."
        case 405: hint = "The server does not accept this method on \(path): enable WebDAV PUT (`dav_methods PUT;` in nginx, see docs/team-setup.md)."
        case 413: hint = "The object is larger than the server accepts: raise `client_max_body_size` in nginx."
        default: hint = "Request for \(path) failed."
        }
        return .remoteRefused(url: displayURL, status: status, hint: hint)
    }

    /// Runs one request with retries; returns the HTTP status of the last answer.
    func perform(
        _ request: URLRequest,
        _ makeTask: (URLRequest, @escaping @Sendable (URLResponse?, (any Error)?) -> Void) -> URLSessionTask
    ) throws(OrchestrationError) -> Int {
        var lastProblem = ""
        for attempt in 0..<attempts {
            if attempt > 0 { Thread.sleep(forTimeInterval: 0.2 * pow(4, Double(attempt - 1))) }
            let box = LockedBox<(URLResponse?, (any Error)?)>((nil, nil))
            let finished = DispatchSemaphore(value: 0)
            let task = makeTask(request) { response, error in
                box.value = (response, error)
                finished.signal()
            }
            task.resume()
            finished.wait()
            let (response, error) = box.value
            if let error {
                lastProblem = (error as NSError).localizedDescription
                continue
            }
            guard let http = response as? HTTPURLResponse else {
                lastProblem = "no HTTP response"
                continue
            }
            if (500...599).contains(http.statusCode) {
                lastProblem = "HTTP \(http.statusCode)"
                continue
            }
            return http.statusCode
        }
        let method = request.httpMethod ?? "GET"
        let path = request.url.map { String($0.path.dropFirst(base.path.count)) } ?? ""
        throw .remoteUnreachable(url: displayURL, reason: "\(method) \(path): \(lastProblem) after \(attempts) attempt\(attempts == 1 ? "" : "s")")
    }
}

/// A value shared with a URLSession callback thread.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
