import ArgumentParser

/// The `lathe` command: declarative fine-tuning pipelines.
@main
struct Lathe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lathe",
        abstract: "Declarative fine-tuning pipelines with content-addressed caching."
    )
}
