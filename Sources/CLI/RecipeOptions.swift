import ArgumentParser

/// Options every recipe-reading subcommand shares.
struct RecipeOptions: ParsableArguments {
    @Argument(help: "The recipe file, e.g. pipelines/demo.yaml.")
    var recipe: String

    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a recipe key, typed and validated like the file (repeatable).",
        valueName: "stages.S.key=value"))
    var overrides: [String] = []

    @Option(help: ArgumentHelp("Store folder (default: $LATHE_STORE, else <project>/artifacts).", valueName: "DIR"))
    var store: String?
}

/// How progress and results are printed.
enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
}

struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only errors and the final summary (with --log-format json: only failed and skipped events, then the summary).")
    var quiet = false

    @Option(help: "text (default) or json: one JSON object per event on standard output.")
    var logFormat: LogFormat = .text
}
