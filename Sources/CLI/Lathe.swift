import ArgumentParser
import Compute
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `lathe` command: declarative fine-tuning pipelines.
@main
struct Lathe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lathe",
        abstract: "Declarative fine-tuning pipelines that rerun only what changed.",
        discussion: """
            A recipe (pipelines/NAME.yaml) chains stages: tokenize → pretrain-continue → domain-adapt → \
            instruct → attach-adapters → evaluate. Results are cached by content in artifacts/, so a rerun \
            executes only stages whose inputs changed, and says why.

            Examples:
              lathe run pipelines/demo.yaml
              lathe status pipelines/demo.yaml
              lathe run pipelines/demo.yaml --set stages.base.learning_rate=1e-4
              lathe report pipelines/demo.yaml

            Exit codes: 0 ok, 1 a stage failed (or `status`: something would run), 64 usage or recipe \
            error, 75 store busy with --no-wait.
            """,
        subcommands: [Init.self, Run.self, Status.self, Dag.self, Report.self, Sample.self, Classify.self, Export.self, Validate.self, Tokens.self,
                      Encode.self, Decode.self, Schema.self, Gc.self, Verify.self]
    )

    static func main() {
        CPUCheck.requireEngineInstructions()
        BLASCore.selectKernels()
        main(nil)
    }
}

/// Exit codes shared by every subcommand (sysexits.h values where one fits).
enum LatheExit {
    static let stageFailed = ExitCode(1)
    static let usage = ExitCode(64)
    static let busy = ExitCode(75)
    static let interrupted = ExitCode(130)
}

/// Writes to standard error (diagnostics, progress) so standard output stays machine-readable.
func printError(_ text: String) {
    var line = text
    if !line.hasSuffix("\n") { line += "\n" }
    writeStderr(line)
}

/// Unbuffered, thread-safe writes to the standard streams.
func writeStderr(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
func writeStdout(_ text: String) { FileHandle.standardOutput.write(Data(text.utf8)) }
