public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real nginx serving a WebDAV-PUT cache (Bazel's HTTP cache protocol) on a free loopback port, with its
/// config, temp paths and data in a temporary folder (the exact config of docs/team-setup.md).
/// `scripts/setup.sh` installs nginx; a test that cannot start it fails (``Failure``), never skips.
public final class NginxServer: @unchecked Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let directory: URL
    public let port: Int
    private var process: Process?

    /// Where nginx keeps what is PUT (`<data>/<path of the URL>`).
    public var dataDirectory: URL { directory.appendingPathComponent("data") }
    /// The remote cache URL tests pass to Lathe.
    public var url: String { "http://127.0.0.1:\(port)/lathe" }
    /// The file behind a path of the cache (`cas/<sha256>`, `ac/<key>`).
    public func file(_ path: String) -> URL { dataDirectory.appendingPathComponent("lathe/" + path) }

    public static let binary = ["/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/bin/nginx"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// - Parameter extraServerConfig: lines added inside the `server` block (e.g. `auth_basic`).
    public init(extraServerConfig: String = "") throws {
        guard NginxServer.binary != nil else {
            throw Failure(description: "nginx is not installed; run scripts/setup.sh (apt-get install nginx)")
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-nginx-\(UUID().uuidString.prefix(8))")
        for sub in ["data", "body", "proxy", "fastcgi", "uwsgi", "scgi"] {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        port = try NginxServer.freePort()
        let d = directory.path
        let config = """
            \(getuid() == 0 ? "user root;" : "")
            worker_processes 1;
            pid \(d)/nginx.pid;
            error_log \(d)/error.log;
            events { worker_connections 256; }
            http {
                access_log off;
                client_body_temp_path \(d)/body;
                proxy_temp_path \(d)/proxy;
                fastcgi_temp_path \(d)/fastcgi;
                uwsgi_temp_path \(d)/uwsgi;
                scgi_temp_path \(d)/scgi;
                server {
                    listen 127.0.0.1:\(port);
                    root \(d)/data;
                    client_max_body_size 0;
                    \(extraServerConfig)
                    location / {
                        dav_methods PUT DELETE;
                        create_full_put_path on;
                        dav_access user:rw group:r all:r;
                    }
                }
            }
            """
        try Data(config.utf8).write(to: directory.appendingPathComponent("nginx.conf"))
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Starts nginx (again, on the same port) and waits until it accepts connections.
    public func start() throws {
        guard process == nil else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: NginxServer.binary!)
        p.arguments = ["-p", directory.path, "-c", directory.appendingPathComponent("nginx.conf").path, "-g", "daemon off;"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(15)
        while Date() < deadline {
            if NginxServer.accepts(port) { return }
            if !p.isRunning { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let log = (try? String(contentsOf: directory.appendingPathComponent("error.log"), encoding: .utf8)) ?? ""
        stop()
        throw Failure(description: "nginx did not start on 127.0.0.1:\(port): \(log)")
    }

    /// Stops nginx at once (SIGTERM to the master, which stops its workers) and waits for it.
    public func stop() {
        guard let p = process else { return }
        process = nil
        if p.isRunning {
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
        }
        // The workers go with the master; wait until the port refuses.
        let deadline = Date().addingTimeInterval(5)
        while NginxServer.accepts(port) && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "could not find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func accepts(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
