import ArgumentParser
import Recipes

/// Job resources for `--executor slurm`; each wins over `slurm:` of the recipe and config files.
struct SlurmOptions: ParsableArguments {
    @Option(name: .customLong("slurm-partition"), help: ArgumentHelp("Slurm partition (default: the cluster's default).", valueName: "NAME"))
    var partition: String?
    @Option(name: .customLong("slurm-account"), help: ArgumentHelp("Slurm account to charge.", valueName: "NAME"))
    var account: String?
    @Option(name: .customLong("slurm-time"), help: ArgumentHelp("Time limit per stage job, in sbatch's format (e.g. 2:00:00).", valueName: "TIME"))
    var time: String?
    @Option(name: .customLong("slurm-mem"), help: ArgumentHelp("Memory of every stage job in MiB (default: each stage's memory estimate plus slurm.mem_margin).", valueName: "MIB"))
    var memory: Int?

    func validate() throws {
        if let memory, memory < 1 { throw ValidationError("--slurm-mem must be at least 1 (MiB).") }
        if let time, !RunSettingsLayer.isSlurmTime(time) {
            throw ValidationError("--slurm-time must be in sbatch's format (MINUTES, HOURS:MINUTES:SECONDS, DAYS-HOURS:MINUTES…), got '\(time)'.")
        }
    }

    /// The run-settings layer of these options.
    var layer: RunSettingsLayer {
        var layer = RunSettingsLayer()
        layer.partition = partition
        layer.account = account
        layer.time = time
        layer.memoryMiB = memory
        if partition != nil { layer.origins["slurm.partition"] = "--slurm-partition" }
        if account != nil { layer.origins["slurm.account"] = "--slurm-account" }
        if time != nil { layer.origins["slurm.time"] = "--slurm-time" }
        if memory != nil { layer.origins["slurm.mem"] = "--slurm-mem" }
        return layer
    }
}
