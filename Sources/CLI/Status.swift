import ArgumentParser
import Orchestration

extension Lathe {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say, per stage, whether it is up to date or will run and why.",
            discussion: """
                Reads only the recipe, the lock file, the store's manifests and file stats (a file is \
                rehashed only when its size, mtime or inode changed). Writes nothing.

                Exit status: 0 when every stage is up to date, 1 when a run would do something.

                Examples:
                  lathe status pipelines/demo.yaml
                  lathe status pipelines/demo.yaml --set stages.glassvine.learning_rate=1e-4
                  lathe status pipelines/demo.yaml --log-format json
                """)

        @OptionGroup var recipe: RecipeOptions
        @Option(help: "text (default) or json.")
        var logFormat: LogFormat = .text

        func run() throws {
            let ws = try Workspace.open(recipe)
            let plan = try ws.plan(.all)
            StatusTable.print(plan, format: logFormat)
            if plan.contains(where: \.action.isWork) { throw ExitCode(1) }
        }
    }
}
