/// Where stages run.
public enum ExecutorKind: String, Sendable, CaseIterable {
    case local, slurm
}

/// The run keys (`KeyTables.runKeys`: `remote`, `executor`, `slurm:`) one source sets: the command line,
/// the environment, a recipe, the project config or the user config. Every field is nil when that source
/// does not set it, so sources stack with ``over(_:)``; ``RunSettings`` fills the defaults.
///
/// None of these keys enters a stage key: where a stage runs is not what it computes.
public struct RunSettingsLayer: Sendable, Equatable {
    public var remote: String?
    public var executor: ExecutorKind?
    public var partition: String?
    public var account: String?
    /// sbatch's time format, checked by ``RunSettingsLayer/isSlurmTime(_:)``.
    public var time: String?
    /// `slurm.mem`: MiB for every stage job.
    public var memoryMiB: Int?
    /// `slurm.mem_margin`: a fraction of the estimate.
    public var memoryMargin: Double?
    /// `slurm.mem_fallback`: MiB of a stage without an estimate.
    public var memoryFallbackMiB: Int?
    /// `slurm.extra_args`: one sbatch argument each, every one starting with '-'.
    public var extraArguments: [String]?
    /// Dotted key (`remote`, `slurm.mem`) → where it was set (`pipelines/x.yaml:3:9`, `--remote`, `$LATHE_REMOTE`).
    public var origins: [String: String] = [:]

    public init() {}

    /// This layer over `lower`: every key this layer sets wins, the rest come from `lower`.
    /// - Complexity: O(number of keys).
    public func over(_ lower: RunSettingsLayer) -> RunSettingsLayer {
        var out = lower
        if let remote { out.remote = remote }
        if let executor { out.executor = executor }
        if let partition { out.partition = partition }
        if let account { out.account = account }
        if let time { out.time = time }
        if let memoryMiB { out.memoryMiB = memoryMiB }
        if let memoryMargin { out.memoryMargin = memoryMargin }
        if let memoryFallbackMiB { out.memoryFallbackMiB = memoryFallbackMiB }
        if let extraArguments { out.extraArguments = extraArguments }
        out.origins.merge(origins) { _, mine in mine }
        return out
    }

    /// sbatch's `--time` formats: `M`, `M:S`, `H:M:S`, `D-H`, `D-H:M`, `D-H:M:S`, or `UNLIMITED` / `INFINITE`.
    public static func isSlurmTime(_ text: String) -> Bool {
        if text == "UNLIMITED" || text == "INFINITE" { return true }
        func numbers(_ part: Substring, most: Int) -> Bool {
            let fields = part.split(separator: ":", omittingEmptySubsequences: false)
            return (1...most).contains(fields.count) && fields.allSatisfy { !$0.isEmpty && $0.count <= 9 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
        }
        let dash = text.split(separator: "-", omittingEmptySubsequences: false)
        switch dash.count {
        case 1: return numbers(dash[0], most: 3)
        case 2: return numbers(dash[0], most: 1) && numbers(dash[1], most: 3)
        default: return false
        }
    }

    /// sbatch options Lathe sets itself, so `extra_args` may not (long and short spellings).
    public static let reservedSbatchOptions = [
        "--mem", "--mem-per-cpu", "--mem-per-gpu", "--ntasks", "-n", "--cpus-per-task", "-c", "--output", "-o", "--error", "-e",
        "--chdir", "-D", "--job-name", "-J", "--parsable", "--partition", "-p", "--account", "-A", "--time", "-t", "--wrap",
    ]

    /// Why `argument` cannot be an `extra_args` entry, or nil when it can.
    public static func extraArgumentProblem(_ argument: String) -> String? {
        guard argument.hasPrefix("-"), argument.count > 1 else {
            return "'\(argument)' is not an sbatch option; write each option with its value joined by '=' (e.g. '--qos=high')"
        }
        let name = argument.split(separator: "=", maxSplits: 1).first.map(String.init) ?? argument
        let short = argument.count > 2 && !argument.hasPrefix("--") ? String(argument.prefix(2)) : name
        if let reserved = reservedSbatchOptions.first(where: { $0 == name || $0 == short }) {
            return "'\(argument)': Lathe sets \(reserved) itself; use the slurm keys (partition, account, time, mem) or the stage's threads/ranks"
        }
        return nil
    }
}

/// The run keys resolved from every source (highest first: command line, environment, recipe, project
/// config, user config) with the defaults of `KeyTables.runKeys` filled in.
public struct RunSettings: Sendable, Equatable {
    public var remote: String?
    public var executor: ExecutorKind
    public var partition: String?
    public var account: String?
    public var time: String?
    public var memoryMiB: Int?
    public var memoryMargin: Double
    public var memoryFallbackMiB: Int
    public var extraArguments: [String]
    /// Dotted key → where its value was set; absent keys took their default.
    public var origins: [String: String]

    /// `layers` highest precedence first.
    public init(layers: [RunSettingsLayer]) {
        var merged = RunSettingsLayer()
        for layer in layers.reversed() { merged = layer.over(merged) }
        func slurmDefault(_ key: String) -> CheckedValue? { KeyTables.slurm.lookup[key]?.spec.defaultValue }
        remote = merged.remote
        var executorDefault = ExecutorKind.local
        if case .string(let text)? = KeyTables.runKey("executor")?.defaultValue, let kind = ExecutorKind(rawValue: text) { executorDefault = kind }
        executor = merged.executor ?? executorDefault
        partition = merged.partition
        account = merged.account
        time = merged.time
        memoryMiB = merged.memoryMiB
        if case .number(let margin)? = slurmDefault("mem_margin") { memoryMargin = merged.memoryMargin ?? margin } else { memoryMargin = merged.memoryMargin ?? 0 }
        if case .int(let mib)? = slurmDefault("mem_fallback") { memoryFallbackMiB = merged.memoryFallbackMiB ?? mib } else { memoryFallbackMiB = merged.memoryFallbackMiB ?? 1 }
        extraArguments = merged.extraArguments ?? []
        origins = merged.origins
    }

    /// MiB of sbatch `--mem` for a stage whose memory estimate is `estimateBytes` (nil: none): `slurm.mem`
    /// when set, else estimate × (1 + mem_margin) + the process overhead, else `mem_fallback`.
    public func jobMemory(estimateBytes: Double?) -> (mib: Int, why: String) {
        if let memoryMiB { return (memoryMiB, "slurm.mem" + (origins["slurm.mem"].map { " (\($0))" } ?? "")) }
        guard let estimateBytes, estimateBytes.isFinite, estimateBytes >= 0 else {
            return (memoryFallbackMiB, "no estimate for this stage: slurm.mem_fallback")
        }
        let mib = (estimateBytes * (1 + memoryMargin) / 1_048_576).rounded(.up) + Double(SlurmLimits.processOverheadMiB)
        let clamped = Int(min(mib, Double(SlurmLimits.memoryMiB)))
        let estimateMiB = Int(min((estimateBytes / 1_048_576).rounded(.up), Double(SlurmLimits.memoryMiB)))
        return (clamped, "estimate \(estimateMiB) MiB × (1 + mem_margin \(memoryMargin)) + \(SlurmLimits.processOverheadMiB) MiB")
    }
}
