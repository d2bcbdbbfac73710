import Foundation
import Testing
import TestSupport

/// Hostile recipes and model folders (`scripts/reliability/hostile_inputs.py`): paths out of the
/// project, alias bombs, a million stages, absurd numbers, safetensors headers claiming huge sizes,
/// config.json with absurd shapes. Each must end in a clear error (exit 64 for the recipe, 1 for the
/// model files) naming the problem, within 20 s and 512 MiB peak RSS — never a signal, never a
/// multi-gigabyte allocation. The script prints the table recorded in RELIABILITY.md.
@Suite(.serialized) struct CLIHostileInputTests {
    @Test func everyHostileInputIsAClearBoundedError() throws {
        let script = CommandRunner.packageRoot.appendingPathComponent("scripts/reliability/hostile_inputs.py")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script.path, "--bin", CommandRunner.latheBinary.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("hostile inputs: failures 0"), "\(text)")
    }
}
