import Foundation
import Orchestration
import Testing
import TestSupport

/// A lock file committed on one machine and results computed on another: the entry records what
/// computed it, and the warning says "recorded on another machine", not "damaged".
@Suite struct LockMachineTests {
    static let zen3 = ["cpu": "AMD Ryzen 9 5950X 16-Core Processor", "blas_kernels": "Haswell", "threads": "2"]
    static let zen4 = ["cpu": "AMD Ryzen 9 7950X 16-Core Processor", "blas_kernels": "SkylakeX", "threads": "2"]

    /// Runs the harness on "machine A", keeps its lock, recomputes everything on "machine B" (other bits),
    /// then puts A's lock back, as `git checkout pipelines/demo.lock` would.
    func lockFromAnotherMachine(_ a: [String: String], _ b: [String: String]) throws -> (Harness, Executor.Summary, Data) {
        let h = Harness()
        h.runner.machine = a
        try h.run()
        let committed = try Data(contentsOf: h.lockURL)
        #expect(try LockFile.read(from: h.lockURL, recipe: "demo").stages["tok"]?.machine == a)
        try FileManager.default.removeItem(at: h.project.store)
        h.runner.machine = b
        h.runner.salt = "other kernels"
        try h.run()
        try committed.write(to: h.lockURL)
        return (h, try h.run(), committed)
    }

    @Test("an entry recorded on another machine is named as such, with both machines and the fix")
    func anEntryFromAnotherMachineIsNotCalledDamaged() throws {
        let (h, summary, _) = try lockFromAnotherMachine(Self.zen3, Self.zen4)
        // tok has no upstream, so its key is the committed one: up to date, with other bits
        #expect(summary.upToDate == ["tok"])
        #expect(summary.warnings.count == 1)
        let warning = try #require(summary.warnings.first)
        #expect(warning.contains("the entry of stage 'tok' was recorded on another machine (AMD Ryzen 9 5950X 16-Core Processor, OpenBLAS Haswell kernels, 2 threads)"))
        #expect(warning.contains("differ from this one's (AMD Ryzen 9 7950X 16-Core Processor, OpenBLAS SkylakeX kernels, 2 threads); not damaged"))
        #expect(warning.contains("Set `deterministic: true`"))
        #expect(!warning.contains("edited by hand"))
        // rewritten from this machine's result
        #expect(try LockFile.read(from: h.lockURL, recipe: "demo").stages["tok"]?.machine == Self.zen4)
    }

    @Test("other bits on the same kind of machine are damage")
    func otherBitsOnTheSameMachineAreDamage() throws {
        let (_, summary, _) = try lockFromAnotherMachine(Self.zen3, Self.zen3)
        let warning = try #require(summary.warnings.first)
        #expect(warning.contains("on the same kind of machine (AMD Ryzen 9 5950X 16-Core Processor, OpenBLAS Haswell kernels, 2 threads): damaged or edited by hand"))
    }

    @Test("an entry that names no machine was written by an older lathe or by hand")
    func anEntryWithoutAMachine() throws {
        let (_, summary, _) = try lockFromAnotherMachine([:], Self.zen4)
        let warning = try #require(summary.warnings.first)
        #expect(warning.contains("names no machine, so it was recorded by an older lathe or edited by hand"))
    }

    @Test("an entry edited by hand (another key) is still called that, and the machine survives a round trip")
    func aHandEditedEntry() throws {
        let h = Harness()
        h.runner.machine = Self.zen4
        try h.run()
        let text = try String(contentsOf: h.lockURL, encoding: .utf8)
        #expect(text.contains("\"machine\": {"))
        #expect(text.contains("\"blas_kernels\": \"SkylakeX\""))
        let edited = text.replacingOccurrences(of: "\"cost\": {", with: "\"cost\": {\n        \"edited\": 1,")
        try Data(edited.utf8).write(to: h.lockURL)
        let summary = try h.run()
        #expect(summary.executed.isEmpty)
        #expect(summary.warnings.count == 6)
        #expect(summary.warnings.allSatisfy { $0.contains("did not match its stored result (damaged or edited by hand)") })
    }
}
