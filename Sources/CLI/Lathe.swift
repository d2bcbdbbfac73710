import ArgumentParser
import Cluster
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
              lathe run pipelines/demo.yaml --set stages.glassvine.learning_rate=1e-4
              lathe report pipelines/demo.yaml

            Exit codes: 0 ok, 1 a stage failed (or `status`: something would run), 64 usage or recipe \
            error, 69 started by mpirun without Open MPI support, 75 store busy with --no-wait, 130 \
            interrupted (Ctrl-C or SIGTERM; a training stage keeps a checkpoint and resumes on the next run).
            """,
        version: LatheVersion.text,
        subcommands: [Init.self, Run.self, Status.self, Dag.self, Report.self, Sample.self, Classify.self, Export.self, Validate.self, Tokens.self,
                      Encode.self, Decode.self, Schema.self, Gc.self, Verify.self, Push.self, Pull.self, RunStage.self]
    )

    /// Joins the MPI job first when started by `mpirun`/`srun` (see `RankedRun`), runs the command, and
    /// leaves the job: finalised when the run ended together (rank 0 told every rank the status), else
    /// exiting non-zero without finalising, which makes the launcher stop every rank.
    static func main() {
        CPUCheck.requireEngineInstructions()
        BLASCore.selectKernels()
        do { try Ranks.start() } catch {
            printError("lathe: \(error)")
            Glibc.exit(LatheExit.unavailable.rawValue)
        }
        var status: Int32 = 0
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch {
            status = exitCode(for: error).rawValue
            let message = fullMessage(for: error)
            if !message.isEmpty { if status == 0 { writeStdout(message + "\n") } else { printError(message) } }
        }
        Ranks.finish(status: status, together: RankedRun.endedTogether)
        Glibc.exit(status)
    }
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
