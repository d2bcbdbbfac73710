import Foundation

extension ValueChecker {
    /// Checks one top-level run key (`remote`, `executor`, `slurm`) of a recipe or config file into
    /// `layer`, recording `file:line:col` as its origin. Every problem goes to `sink`.
    /// - Returns: false when `entry.key` is not a run key.
    mutating func runKey(_ entry: YEntry, into layer: inout RunSettingsLayer, file: String, owner: String) -> Bool {
        guard let spec = KeyTables.runKey(entry.key) else { return false }
        let scope = Scope(owner: owner)
        func origin(_ location: SourceLocation) -> String { "\(file):\(location.line):\(location.column)" }
        switch entry.key {
        case "remote":
            guard case .string(let text)? = value(entry.value, spec: spec, scope: scope) else { return true }
            if let problem = Self.remoteProblem(text) {
                sink.error(entry.value.location, problem)
            } else {
                layer.remote = text
                layer.origins["remote"] = origin(entry.value.location)
            }
        case "executor":
            guard case .string(let text)? = value(entry.value, spec: spec, scope: scope), let kind = ExecutorKind(rawValue: text) else { return true }
            layer.executor = kind
            layer.origins["executor"] = origin(entry.value.location)
        default: // slurm
            guard entry.value.entries != nil else {
                _ = value(entry.value, spec: spec, scope: scope)
                return true
            }
            guard let fields = object(entry.value, spec: KeyTables.slurm, scope: scope.nested("slurm"), fill: false) else { return true }
            for (key, field) in fields {
                let at = field.location
                switch (key, field.value) {
                case ("partition", .string(let text)): layer.partition = text
                case ("account", .string(let text)): layer.account = text
                case ("time", .string(let text)):
                    guard RunSettingsLayer.isSlurmTime(text) else {
                        sink.error(at, "'time' in 'slurm' of \(owner) must be in sbatch's format (MINUTES, HOURS:MINUTES:SECONDS, "
                            + "DAYS-HOURS:MINUTES…), got '\(text)'. Write e.g. time: \"2:00:00\" for two hours.")
                        continue
                    }
                    layer.time = text
                case ("mem", .int(let mib)): layer.memoryMiB = mib
                case ("mem_margin", .number(let margin)): layer.memoryMargin = margin
                case ("mem_fallback", .int(let mib)): layer.memoryFallbackMiB = mib
                case ("extra_args", .list(let items)):
                    let arguments = items.compactMap { if case .string(let text) = $0 { text } else { nil } }
                    if let problem = arguments.lazy.compactMap(RunSettingsLayer.extraArgumentProblem).first {
                        sink.error(at, "'extra_args' in 'slurm' of \(owner): \(problem).")
                        continue
                    }
                    layer.extraArguments = arguments
                default: continue
                }
                layer.origins["slurm.\(key)"] = origin(at)
            }
        }
        return true
    }

    /// Why `text` cannot be a remote cache URL here, or nil. A URL carrying `user:password@` is refused:
    /// recipes and config files are shared and committed; credentials come from the environment.
    static func remoteProblem(_ text: String) -> String? {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              ["http", "https"].contains(scheme), let host = components.host, !host.isEmpty else {
            return "'remote' must be an http:// or https:// URL such as http://cache.example:8080/lathe, got '\(text)'."
        }
        if components.user != nil || components.password != nil {
            return "'remote' must not carry credentials (user:password@): this file is shared. Remove them from the URL "
                + "and set LATHE_REMOTE_TOKEN (bearer), or LATHE_REMOTE_USER and LATHE_REMOTE_PASSWORD, in the environment."
        }
        return nil
    }
}
