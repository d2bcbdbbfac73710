import Foundation
import Testing
@testable import Recipes

/// The run keys (`remote`, `executor`, `slurm:`, a stage's `ranks`): typed once from the recipe or a
/// config file, stacked by precedence, and never part of a stage key.
@Suite struct RunSettingsTests {
    static let runKeys = """
        remote: http://cache.example:8080/lathe
        executor: slurm
        slurm: {partition: gpu, account: team, time: "1-02:00:00", mem_margin: 0.5, extra_args: ['--qos=high']}
        """

    @Test("a recipe's run keys are typed, with the file, line and column they came from")
    func recipeRunKeys() throws {
        let project = try TestProject()
        let recipe = try project.recipe(Self.runKeys + "\n" + designRecipe.replacingOccurrences(of: "name: clinic\n", with: "")).recipe
        #expect(recipe.run.remote == "http://cache.example:8080/lathe")
        #expect(recipe.run.executor == .slurm)
        #expect(recipe.run.partition == "gpu" && recipe.run.account == "team" && recipe.run.time == "1-02:00:00")
        #expect(recipe.run.memoryMargin == 0.5 && recipe.run.memoryMiB == nil && recipe.run.memoryFallbackMiB == nil)
        #expect(recipe.run.extraArguments == ["--qos=high"])
        #expect(recipe.run.origins["remote"]?.hasSuffix("pipelines/recipe.yaml:1:9") == true)
        #expect(recipe.run.origins["executor"]?.hasSuffix("pipelines/recipe.yaml:2:11") == true)
    }

    @Test("run keys and ranks change no stage's canonical params (where a stage runs is not what it computes)")
    func runKeysLeaveStageKeysAlone() throws {
        let project = try TestProject()
        let plain = try project.recipe(designRecipe).recipe
        let withRun = try project.recipe(designRecipe + "\n" + Self.runKeys, overrides: ["stages.base.ranks=4", "stages.lora.ranks=2"]).recipe
        #expect(withRun.stage(named: "base")?.params.training?.ranks == 4)
        #expect(plain.stage(named: "base")?.params.training?.ranks == 1)
        for stage in plain.stages {
            #expect(withRun.stage(named: stage.name)?.canonicalParams == stage.canonicalParams, "\(stage.name)")
        }
        // A key that does change what a stage computes changes its params (the comparison can fail).
        let changed = try project.recipe(designRecipe, overrides: ["stages.base.learning_rate=1e-3"]).recipe
        #expect(changed.stage(named: "base")?.canonicalParams != plain.stage(named: "base")?.canonicalParams)
    }

    @Test("bad run values are refused at their line and column, saying the fix")
    func badValues() throws {
        let project = try TestProject()
        let stages = "\nstages:\n  t: {kind: tokenize, datasets: [{path: data/a.txt}]}\n"
        #expect(project.errors("executor: cluster" + stages)
            == ["1:11: 'executor' in the recipe must be one of 'local', 'slurm', got 'cluster'."])
        let time = project.errors("slurm: {time: two hours}" + stages)
        #expect(time.count == 1 && time[0].hasPrefix("1:9: 'time' in 'slurm' of the recipe must be in sbatch's format"), "\(time)")
        let mem = project.errors("slurm:\n  mem: 0" + stages)
        #expect(mem.count == 1 && mem[0].hasPrefix("2:8: 'mem' in 'slurm' of the recipe must be between 1 and"), "\(mem)")
        let reserved = project.errors("slurm: {extra_args: ['--mem=9G']}" + stages)
        #expect(reserved.count == 1 && reserved[0].contains("Lathe sets --mem itself"), "\(reserved)")
        let loose = project.errors("slurm: {extra_args: [--qos, high]}" + stages)
        #expect(loose.count == 1 && loose[0].contains("'high' is not an sbatch option"), "\(loose)")
        let unknown = project.errors("slurm: {partitoin: gpu}" + stages)
        #expect(unknown.count == 1 && unknown[0].contains("partitoin") && unknown[0].contains("partition"), "\(unknown)")
        let ranks = project.errors("stages:\n  t: {kind: tokenize, datasets: [{path: data/a.txt}], ranks: 2}\n")
        #expect(ranks.count == 1 && ranks[0].contains("ranks"), "\(ranks)")
    }

    @Test("a remote URL with credentials is refused without echoing them, and says where they go")
    func credentialsRefused() throws {
        let project = try TestProject()
        let errors = project.errors("remote: http://alice:hunter2@cache.example/lathe\nstages:\n  t: {kind: tokenize, datasets: [{path: data/a.txt}]}\n")
        #expect(errors.count == 1)
        #expect(errors[0].hasPrefix("1:9: 'remote' must not carry credentials"), "\(errors)")
        #expect(errors[0].contains("LATHE_REMOTE_TOKEN") && !errors[0].contains("hunter2"))
        #expect(project.errors("remote: ftp://cache.example/x\nstages:\n  t: {kind: tokenize, datasets: [{path: data/a.txt}]}\n")
            .first?.contains("must be an http:// or https:// URL") == true)
    }

    @Test("a config file holds only run keys; a stage key there is an error naming the file and line")
    func configFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-config-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("config.yaml")
        #expect(try RunConfigFiles.load(url) == RunSettingsLayer())   // absent: sets nothing
        try Data("executor: slurm\nslurm:\n  partition: cpu\n  mem: 4000\n".utf8).write(to: url)
        let layer = try RunConfigFiles.load(url)
        #expect(layer.executor == .slurm && layer.partition == "cpu" && layer.memoryMiB == 4000)
        #expect(layer.origins["slurm.mem"]?.hasSuffix("config.yaml:4:3") == true)
        try Data("executor: slurm\nlearning_rate: 0.1\nremote: http://u:p@h/x\n".utf8).write(to: url)
        do {
            _ = try RunConfigFiles.load(url)
            Issue.record("a stage key in a config file was accepted")
        } catch {
            let lines = error.diagnostics.map(\.description)
            #expect(lines.count == 2, "\(lines)")
            #expect(lines[0].contains("config.yaml:2:1") && lines[0].contains("Stage keys go in the recipe"), "\(lines)")
            #expect(lines[1].contains("config.yaml:3:9") && lines[1].contains("must not carry credentials"), "\(lines)")
        }
    }

    @Test("precedence: command line over environment over recipe over project config over user config")
    func precedence() {
        func layer(_ origin: String, remote: String? = nil, executor: ExecutorKind? = nil, partition: String? = nil, mem: Int? = nil) -> RunSettingsLayer {
            var l = RunSettingsLayer()
            l.remote = remote; l.executor = executor; l.partition = partition; l.memoryMiB = mem
            for (key, set) in [("remote", remote != nil), ("executor", executor != nil), ("slurm.partition", partition != nil), ("slurm.mem", mem != nil)] where set {
                l.origins[key] = origin
            }
            return l
        }
        let cli = layer("cli", mem: 100)
        let env = layer("env", remote: "http://env/x")
        let recipe = layer("recipe", remote: "http://recipe/x", executor: .slurm, mem: 300)
        let project = layer("project", partition: "p", mem: 400)
        let user = layer("user", remote: "http://user/x", executor: .local, partition: "u", mem: 500)
        let s = RunSettings(layers: [cli, env, recipe, project, user])
        #expect(s.memoryMiB == 100 && s.origins["slurm.mem"] == "cli")
        #expect(s.remote == "http://env/x" && s.origins["remote"] == "env")
        #expect(s.executor == .slurm && s.origins["executor"] == "recipe")
        #expect(s.partition == "p" && s.origins["slurm.partition"] == "project")
        let defaults = RunSettings(layers: [])
        #expect(defaults.executor == .local && defaults.remote == nil && defaults.memoryMargin == 0.25 && defaults.memoryFallbackMiB == 2048)
        #expect(RunSettings(layers: [user]).partition == "u")
    }

    @Test("--mem is the estimate plus the margin plus the process overhead; slurm.mem overrides; no estimate takes the fallback")
    func jobMemory() {
        var settings = RunSettings(layers: [])
        let gib = 1_073_741_824.0
        #expect(settings.jobMemory(estimateBytes: gib).mib == 1280 + SlurmLimits.processOverheadMiB)
        #expect(settings.jobMemory(estimateBytes: 1).mib == 1 + SlurmLimits.processOverheadMiB)
        #expect(settings.jobMemory(estimateBytes: nil).mib == 2048)
        #expect(settings.jobMemory(estimateBytes: 1e30).mib == 1 << 30)
        settings.memoryMargin = 0
        #expect(settings.jobMemory(estimateBytes: 3 * gib).mib == 3072 + SlurmLimits.processOverheadMiB)
        settings.memoryMiB = 777
        #expect(settings.jobMemory(estimateBytes: 3 * gib).mib == 777)
    }

    @Test("sbatch time formats are accepted and anything else is not")
    func slurmTimes() {
        for good in ["30", "30:00", "2:00:00", "1-0", "1-02:30", "7-00:00:00", "UNLIMITED"] { #expect(RunSettingsLayer.isSlurmTime(good), "\(good)") }
        for bad in ["", "2h", "1:2:3:4", "1-2-3", "-5", "1-", ":30", "1.5", "１２"] { #expect(!RunSettingsLayer.isSlurmTime(bad), "\(bad)") }
    }
}
