import ArgumentParser

struct OutputOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Print only errors and the final summary (with --log-format json: only failed and skipped events, then the summary).")
    var quiet = false

    @Option(help: "text (default) or json: one JSON object per event on standard output.")
    var logFormat: LogFormat = .text
}
