import ArgumentParser
import Foundation
import Recipes

extension Workspace {
    /// The run keys from every source, highest first: `cli` (command-line options), the environment
    /// (`LATHE_REMOTE`, `LATHE_EXECUTOR`), the recipe, the project config (`.lathe/config.local.yaml`
    /// over `.lathe/config.yaml`) and the user config (`$XDG_CONFIG_HOME/lathe/config.yaml`).
    /// Prints every config error with file:line:col and exits 64.
    func runSettings(cli: RunSettingsLayer, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> RunSettings {
        var env = RunSettingsLayer()
        if let remote = environment["LATHE_REMOTE"], !remote.isEmpty {
            env.remote = remote
            env.origins["remote"] = "$LATHE_REMOTE"
        }
        if let text = environment["LATHE_EXECUTOR"], !text.isEmpty {
            guard let kind = ExecutorKind(rawValue: text) else {
                printError("lathe: LATHE_EXECUTOR must be " + ExecutorKind.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
                    + ", got '\(text)'. Fix or unset it.")
                throw LatheExit.usage
            }
            env.executor = kind
            env.origins["executor"] = "$LATHE_EXECUTOR"
        }
        var configs: [RunSettingsLayer] = []
        var failed = false
        for url in RunConfigFiles.projectFiles(root: root).reversed() + [RunConfigFiles.userFile(environment: environment)] {
            do { configs.append(try RunConfigFiles.load(url)) } catch {
                for d in error.diagnostics { printError(d.description) }
                failed = true
            }
        }
        if failed {
            printError("lathe: fix the config file above (it holds only remote, executor and slurm; see docs/team-setup.md); nothing was run.")
            throw LatheExit.usage
        }
        return RunSettings(layers: [cli, env, recipe.run] + configs)
    }
}
