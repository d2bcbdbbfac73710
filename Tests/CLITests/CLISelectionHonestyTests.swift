import Foundation
import Testing
import TestSupport

/// Command-line options that used to be accepted and ignored (issue 22 #12): a selection that skips
/// what it names fails, a forced stage outside the selection is a usage error, `-q` quiets JSON logs
/// too, and `gc` collects the quarantine.
@Suite struct CLISelectionHonestyTests {
    func lathe(_ args: String..., in dir: URL) throws -> CommandRunner.Result { try CommandRunner.run(args, in: dir) }

    static let recipe = """
        name: r
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 300}
          tok2: {kind: tokenize, from: tok, datasets: [{path: data/a.txt, type: completion}]}
        """

    func project() -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", "the quick brown fox jumps over the lazy dog\n")
        p.write("pipelines/r.yaml", Self.recipe)
        return p
    }

    @Test("--only S without a result for S's upstream skips S and exits non-zero")
    func onlyWithoutUpstreamResultFails() throws {
        let p = project()
        let r = try lathe("run", "pipelines/r.yaml", "--only", "tok2", in: p.root)
        #expect(r.status != 0, "\(r.stderr)")
        #expect(r.stderr.contains("tok2: skipped"), "\(r.stderr)")
        #expect(try lathe("run", "pipelines/r.yaml", "--only", "tok", in: p.root).status == 0)
        #expect(try lathe("run", "pipelines/r.yaml", "--only", "tok2", in: p.root).status == 0)
    }

    @Test("--force on a stage the selection does not run is a usage error naming both")
    func forceOutsideTheSelectionIsRefused() throws {
        let p = project()
        let r = try lathe("run", "pipelines/r.yaml", "--only", "tok", "--force", "tok2", in: p.root)
        #expect(r.status == 64)
        #expect(r.stderr.contains("--force tok2 names a stage that --only tok does not run"), "\(r.stderr)")
        let until = try lathe("run", "pipelines/r.yaml", "--until", "tok", "--force", "tok2", in: p.root)
        #expect(until.status == 64)
        #expect(until.stderr.contains("--until tok does not run"), "\(until.stderr)")
    }

    @Test("-q with JSON logs prints only the summary on success, and gc deletes what a forced rerun quarantined")
    func quietJSONAndQuarantineCollection() throws {
        let p = project()
        let loud = try lathe("run", "pipelines/r.yaml", "--log-format", "json", in: p.root)
        #expect(loud.status == 0)
        let quiet = try lathe("run", "pipelines/r.yaml", "--force", "tok", "-q", "--log-format", "json", in: p.root)
        #expect(quiet.status == 0)
        #expect(!quiet.stdout.contains("\"started\"") && !quiet.stdout.contains("\"progress\""), "\(quiet.stdout)")
        #expect(loud.stdout.split(separator: "\n").count > quiet.stdout.split(separator: "\n").count)
        let quarantine = p.root.appendingPathComponent("artifacts/quarantine")
        #expect(!((try? FileManager.default.contentsOfDirectory(atPath: quarantine.path)) ?? []).isEmpty,
                "a forced rerun quarantines the entry it replaces")
        let gc = try lathe("gc", in: p.root)
        #expect(gc.status == 0)
        #expect(gc.stdout.contains("quarantined entr") && gc.stdout.hasPrefix("Deleted 0 entries"), "\(gc.stdout)")
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: quarantine.path)) ?? []).isEmpty)
    }
}
