import Foundation
public import Orchestration

/// A stage runner for orchestration tests: no engine, deterministic outputs, counted executions.
///
/// Each execution writes `out/result.txt` holding the stage kind, every param whose key does not
/// start with `ignored` (so a change to an `ignored…` param reruns the stage yet yields identical
/// bytes: the early-cutoff case), and the concatenated `result.txt` of its upstreams; plus
/// `logs/run.txt`, different on every execution, as real stages' timing logs are.
public final class RecordingStageRunner: StageRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var order: [String] = []
    /// Stage names that throw instead of producing output.
    public var failing: Set<String>
    /// Seconds each execution sleeps (to observe parallelism).
    public var delay: Double
    private var active = 0
    /// Called at the start of each execution (to change an input while a stage runs, say).
    public var onRun: (@Sendable (StageSpec) -> Void)?
    /// Reported as the outcome's `machine` (what the lock entry says computed it).
    public var machine: [String: String] = [:]
    /// Appended to every `result.txt`: other output bits for the same key, as another machine's
    /// floating-point kernels would give.
    public var salt = ""
    /// The largest number of executions that overlapped in time.
    public private(set) var maxConcurrent = 0

    public init(failing: Set<String> = [], delay: Double = 0) {
        self.failing = failing
        self.delay = delay
    }

    /// Executions per stage name since creation.
    public func executions(of name: String) -> Int { lock.withLock { counts[name, default: 0] } }
    public var totalExecutions: Int { lock.withLock { counts.values.reduce(0, +) } }
    /// Stage names in the order they started.
    public var executionOrder: [String] { lock.withLock { order } }
    public func reset() { lock.withLock { counts = [:]; order = [] } }

    public func run(_ spec: StageSpec, context: StageContext) throws -> StageOutcome {
        lock.withLock {
            counts[spec.name, default: 0] += 1
            order.append(spec.name)
            active += 1
            maxConcurrent = max(maxConcurrent, active)
        }
        defer { lock.withLock { active -= 1 } }
        if delay > 0 { Thread.sleep(forTimeInterval: delay) }
        onRun?(spec)
        if failing.contains(spec.name) {
            struct Boom: Error, CustomStringConvertible { let description: String }
            throw Boom(description: "stage '\(spec.name)' failed on purpose")
        }
        var text = "kind=\(spec.kind)\n"
        for key in spec.params.keys.sorted() where !key.hasPrefix("ignored") {
            // A referenced stage is recorded by its content below, not by its name.
            if spec.referenceKeys.contains(key) { continue }
            text += "\(key)=\(spec.params[key]!)\n"
        }
        for path in spec.inputs {
            text += "input \(path)=" + ((try? String(contentsOf: context.projectRoot.appendingPathComponent(path), encoding: .utf8)) ?? "?") + "\n"
        }
        for name in spec.upstream {
            let upstreamFile = context.upstreamOutputs[name]!.appendingPathComponent("result.txt")
            text += "upstream:\n" + (try String(contentsOf: upstreamFile, encoding: .utf8))
        }
        try Data((text + salt).utf8).write(to: context.outputDirectory.appendingPathComponent("result.txt"))
        // Like a real stage's timings: different on every execution, outside the output digest.
        let logs = context.outputDirectory.appendingPathComponent("logs")
        try FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        try Data(UUID().uuidString.utf8).write(to: logs.appendingPathComponent("run.txt"))
        return StageOutcome(metrics: ["score": Double(text.utf8.count)], cost: ["tokens": 1], machine: machine)
    }
}
