import Foundation
import Testing
import TestSupport

/// The kill campaign's short mode (`scripts/kill-campaign.sh --short`) on the built binary: ten
/// SIGKILLs at seeded random moments of a four-stage training chain, each followed by a rerun that
/// must verify clean, recompute nothing that had finished and end byte-identical to an uninterrupted
/// run. The full 200-trial campaign and its figures are in RELIABILITY.md.
@Suite(.serialized) struct CLIKillCampaignTests {
    @Test func shortKillCampaignHasNoFailures() throws {
        let script = CommandRunner.packageRoot.appendingPathComponent("scripts/kill-campaign.sh")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [script.path, "--short", "--seed", "20261125", "--bin", CommandRunner.latheBinary.path]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("summary: trials 10, failures 0"), "\(text)")
    }
}
