public import Foundation

/// Renders a local HTML file in headless Chromium (Debian's `chromium` package) for the report
/// tests: a screenshot, the DOM after load, and every console message the page produced.
///
/// Console messages are read from Chromium's own log (`--enable-logging=stderr`), where each
/// appears as a `CONSOLE` line; tests render a probe page that logs an error on purpose to prove
/// the capture works with the installed Chromium before trusting an empty list.
public enum HeadlessChromium {
    public struct Rendering: Sendable {
        /// The PNG screenshot's bytes.
        public let screenshot: Data
        /// `document.documentElement.outerHTML` after load (`--dump-dom`).
        public let dom: String
        /// Console messages (log, warning, error, uncaught exceptions), one per entry.
        public let console: [String]
    }

    public enum Failure: Error, CustomStringConvertible {
        case notInstalled
        case failed(String)

        public var description: String {
            switch self {
            case .notInstalled: "chromium is not installed; run scripts/setup.sh (apt-get install chromium)."
            case .failed(let why): "headless chromium failed: \(why)"
            }
        }
    }

    /// `$LATHE_CHROMIUM`, else the first of chromium / chromium-browser / google-chrome on PATH.
    public static var executable: URL? {
        let env = ProcessInfo.processInfo.environment
        if let path = env["LATHE_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
        for dir in (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let path = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: path) { return URL(fileURLWithPath: path) }
            }
        }
        return nil
    }

    /// Whether the browser tests should run: Chromium is here, or this is CI, where its absence
    /// must fail the test rather than skip it.
    public static var shouldRun: Bool { executable != nil || ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Renders `page` at `width` × `height` CSS pixels. - Throws: ``Failure``.
    public static func render(_ page: URL, width: Int = 1200, height: Int = 2000, timeout: Double = 90) throws -> Rendering {
        guard let chromium = executable else { throw Failure.notInstalled }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-chromium-\(UUID().uuidString.prefix(12))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let png = scratch.appendingPathComponent("page.png")
        // A private profile per call: parallel tests must not share Chromium's profile lock.
        func common(_ profile: String) -> [String] {
            ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
             "--enable-logging=stderr", "--v=0", "--user-data-dir=\(scratch.appendingPathComponent(profile).path)",
             "--window-size=\(width),\(height)"]
        }
        let shot = try run(chromium, common("a") + ["--screenshot=\(png.path)", page.absoluteString], timeout: timeout)
        let dump = try run(chromium, common("b") + ["--dump-dom", page.absoluteString], timeout: timeout)
        guard let image = try? Data(contentsOf: png) else {
            throw Failure.failed("no screenshot written (status \(shot.status)): \(shot.stderr.suffix(600))")
        }
        guard dump.status == 0 else { throw Failure.failed("--dump-dom exited \(dump.status): \(dump.stderr.suffix(600))") }
        return Rendering(screenshot: image, dom: dump.stdout, console: consoleLines(shot.stderr) + consoleLines(dump.stderr))
    }

    /// Lines of Chromium's log that carry a console message (`…:INFO:CONSOLE:12] "text", source: …`
    /// in current builds, `…:INFO:CONSOLE(12)] …` in older ones).
    public static func consoleLines(_ log: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(":CONSOLE:") || $0.contains(":CONSOLE(") }.map(String.init)
    }

    /// Width and height from a PNG's IHDR chunk, or nil when `data` is not a PNG.
    public static func pngSize(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(24))
        guard bytes.count == 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], bytes[12..<16] == [0x49, 0x48, 0x44, 0x52]
        else { return nil }
        func be32(_ i: Int) -> Int { bytes[i..<i + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (be32(16), be32(20))
    }

    private static func run(_ executable: URL, _ args: [String], timeout: Double) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = executable
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        // Drain both pipes while waiting so a chatty browser never blocks on a full pipe.
        let drain = PipeDrain(out, err)
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.01) }
        if p.isRunning {
            // Not waiting for the pipes: a leftover renderer process may still hold them open.
            p.terminate()
            p.waitUntilExit()
            throw Failure.failed("timed out after \(Int(timeout)) s")
        }
        p.waitUntilExit()
        let (stdout, stderr) = drain.wait()
        return (p.terminationStatus, stdout, stderr)
    }
}
