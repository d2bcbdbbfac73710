import JSONText
import Foundation
import Orchestration
#if canImport(Glibc)
import Glibc
#endif

/// Renders executor events: a live status line on a terminal, plain lines in logs and CI,
/// one JSON object per event with `--log-format json`. Thread-safe (events arrive from workers).
final class ProgressRenderer: @unchecked Sendable {
    enum Mode { case live, plain, json, quiet }

    let mode: Mode
    /// `-q` with `--log-format json`: only failures and skips are emitted, then the summary.
    let quietJSON: Bool
    private let lock = NSLock()
    private var running: [String: (start: Date, detail: String)] = [:]
    private var lastPlain: [String: Date] = [:]
    private var liveShown = false
    /// Plain mode prints a progress line per stage at most this often (seconds).
    let plainInterval: Double = 10

    init(format: LogFormat, quiet: Bool) {
        quietJSON = quiet && format == .json
        if format == .json { mode = .json } else if quiet { mode = .quiet } else {
            mode = isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb" ? .live : .plain
        }
    }

    func handle(_ event: Executor.Event) {
        lock.withLock {
            switch mode {
            case .json:
                switch event {
                case .failed, .skipped: emitJSON(event)
                default: if !quietJSON { emitJSON(event) }
                }
            case .quiet: if case .failed(let stage, let message) = event { line("✘ \(stage) failed: \(message)") }
            case .live, .plain: emitText(event)
            }
        }
    }

    /// A line that stays (clears the live line first).
    private func line(_ text: String) {
        if liveShown { writeStderr("\r\u{1B}[K"); liveShown = false }
        writeStderr(text + "\n")
    }

    private func emitText(_ event: Executor.Event) {
        switch event {
        case .resolved(let stage, let action):
            line("  \(stage): \(action)")
        case .started(let stage, let reason):
            running[stage] = (Date(), "")
            line("▸ \(stage): running (\(reason))")
        case .progress(let stage, let e):
            let detail = describe(e)
            running[stage]?.detail = detail
            switch e {
            case .warning(let text): line("⚠ \(stage): \(text)")
            case .notice(let text): line("  \(stage): \(text)")
            case .note, .progress:
                guard mode == .plain else { break }
                let now = Date()
                if now.timeIntervalSince(lastPlain[stage] ?? .distantPast) >= plainInterval {
                    lastPlain[stage] = now
                    line("  \(stage): \(detail)")
                }
            }
        case .finished(let stage, let seconds, _):
            running[stage] = nil
            line("✔ \(stage): done in \(format(seconds))")
        case .failed(let stage, let message):
            running[stage] = nil
            line("✘ \(stage) failed: \(message)")
        case .skipped(let stage, let reason):
            line("  \(stage): skipped (\(reason))")
        }
        if mode == .live { drawLive() }
    }

    /// The live line: every running stage with its elapsed time and latest progress.
    private func drawLive() {
        guard !running.isEmpty else { return }
        let now = Date()
        let parts = running.keys.sorted().map { name -> String in
            let r = running[name]!
            return "\(name) \(format(now.timeIntervalSince(r.start)))" + (r.detail.isEmpty ? "" : " \(r.detail)")
        }
        var text = "⏳ " + parts.joined(separator: " · ")
        let width = terminalWidth()
        if text.count > width - 1 { text = String(text.prefix(width - 2)) + "…" }
        writeStderr("\r\u{1B}[K" + text)
        liveShown = true
    }

    private func describe(_ event: StageEvent) -> String {
        switch event {
        case .note(let text), .notice(let text), .warning(let text): return text
        case .progress(let step, let total, let values):
            var s = "step \(step)/\(total)"
            if let loss = values["loss"] { s += String(format: " loss %.4f", loss) }
            if let tps = values["tokens_per_s"] { s += String(format: " %.0f tok/s", tps) }
            if let eta = values["eta_s"] { s += " ETA \(format(eta))" }
            return s
        }
    }

    private func emitJSON(_ event: Executor.Event) {
        var o: [String: JSONValue] = ["time": .double((Date().timeIntervalSince1970 * 1000).rounded() / 1000)]
        switch event {
        case .resolved(let stage, let action):
            o["event"] = .string(action == .upToDate ? "up_to_date" : "restored"); o["stage"] = .string(stage)
            o["reason"] = .string(action.description)
        case .started(let stage, let reason):
            o["event"] = .string("started"); o["stage"] = .string(stage); o["reason"] = .string(reason)
        case .progress(let stage, let e):
            o["event"] = .string("progress"); o["stage"] = .string(stage)
            switch e {
            case .note(let text), .notice(let text): o["note"] = .string(text)
            case .warning(let text): o["warning"] = .string(text)
            case .progress(let step, let total, let values):
                o["step"] = .int(step); o["total"] = .int(total)
                for (k, v) in values { o[k] = .double(v) }
            }
        case .finished(let stage, let seconds, let record):
            o["event"] = .string("finished"); o["stage"] = .string(stage); o["seconds"] = .double(seconds)
            o["key"] = .string(record.key)
        case .failed(let stage, let message):
            o["event"] = .string("failed"); o["stage"] = .string(stage); o["message"] = .string(message)
        case .skipped(let stage, let reason):
            o["event"] = .string("skipped"); o["stage"] = .string(stage); o["reason"] = .string(reason)
        }
        writeStdout(JSONValue.object(JSONObject(o)).compact() + "\n")
    }

    /// Final words, after the run.
    func summary(_ s: Executor.Summary, seconds: Double, lockPath: String) {
        lock.withLock {
            if mode == .json {
                print(JSONValue.object([
                    "event": .string("summary"), "executed": .array(s.executed.map { .string($0) }),
                    "restored": .array(s.restored.map { .string($0) }), "up_to_date": .array(s.upToDate.map { .string($0) }),
                    "failed": .array(s.failed.map { .string($0) }), "skipped": .array(s.skipped.map { .string($0) }),
                    "lock_written": .bool(s.lockWritten), "seconds": .double(seconds),
                ]).compact())
                return
            }
            if liveShown { writeStderr("\r\u{1B}[K"); liveShown = false }
            let total = s.executed.count + s.restored.count + s.upToDate.count + s.failed.count + s.skipped.count
            if s.executed.isEmpty && s.restored.isEmpty && s.failed.isEmpty && s.skipped.isEmpty {
                writeStderr("Nothing to do: \(total == 1 ? "the only stage is" : "all \(total) stages are") up to date (0 executed, \(format(seconds))).\n")
                return
            }
            var parts = ["\(s.executed.count) executed", "\(s.restored.count) restored from cache", "\(s.upToDate.count) up to date"]
            if !s.failed.isEmpty { parts.append("\(s.failed.count) failed (\(s.failed.joined(separator: ", ")))") }
            if !s.skipped.isEmpty { parts.append("\(s.skipped.count) skipped") }
            let verdict = s.failed.isEmpty && s.skipped.isEmpty ? "Done" : "Stopped"
            writeStderr("\(verdict): \(parts.joined(separator: ", ")) in \(format(seconds)). \(lockPath) \(s.lockWritten ? "updated" : "unchanged").\n")
        }
    }

    private func terminalWidth() -> Int {
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 10 { return Int(size.ws_col) }
        return 100
    }
}

/// `0.42 s`, `12.3 s`, `4 min 05 s`.
func format(_ seconds: Double) -> String {
    if seconds < 10 { return String(format: "%.2f s", seconds) }
    if seconds < 120 { return String(format: "%.1f s", seconds) }
    let s = Int(seconds.rounded())
    return String(format: "%d min %02d s", s / 60, s % 60)
}
