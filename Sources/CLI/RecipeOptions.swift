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
