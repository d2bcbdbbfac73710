import Foundation
import Testing
import TestSupport

/// `lathe run --remote`, `lathe push` and `lathe pull` against a real nginx, on the two-stage tokenize chain.
@Suite(.serialized) struct CLIRemoteTests {
    func project() -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/a.txt", String(repeating: "the lathe turns wood into bowls and spindles.\n\n", count: 50))
        p.write("pipelines/data/b.txt", String(repeating: "a spindle is turned between centres.\n\n", count: 50))
        p.write("pipelines/chain.yaml", CLIRunTests.recipe)
        return p
    }

    @Test("a second checkout pulls what the first one ran, and then has nothing to do")
    func pullAfterRun() throws {
        let server = try NginxServer()
        let a = project(), b = project()
        // Misses (404) and hits (200) must leave nothing in the temporary directory.
        let scratch = a.root.appendingPathComponent("tmpdir")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let first = try CommandRunner.run(["run", "pipelines/chain.yaml", "--remote", server.url], in: a.root,
                                          environment: ["TMPDIR": scratch.path])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("Done: 2 executed"))
        #expect(first.stderr.contains("remote cache: uploaded"))
        let pull = try CommandRunner.run(["pull", "pipelines/chain.yaml", "--remote", server.url], in: b.root,
                                         environment: ["TMPDIR": scratch.path])
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == [])
        #expect(pull.status == 0, "\(pull.stderr)")
        #expect(pull.stderr.contains("0 executed, 2 restored from cache"), "\(pull.stderr)")
        let again = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: b.root)
        #expect(again.stderr.contains("Nothing to do: all 2 stages are up to date"), "\(again.stderr)")
        #expect(b.read("pipelines/chain.lock") == a.read("pipelines/chain.lock"))
    }

    @Test("lathe push sends a local run; LATHE_REMOTE makes the next machine's run restore it")
    func pushThenRun() throws {
        let server = try NginxServer()
        let a = project(), b = project()
        #expect(try CommandRunner.run(["run", "pipelines/chain.yaml"], in: a.root).status == 0)
        let push = try CommandRunner.run(["push", "pipelines/chain.yaml", "--remote", server.url], in: a.root)
        #expect(push.status == 0, "\(push.stderr)")
        #expect(push.stderr.contains("pushed 2 stages"))
        let run = try CommandRunner.run(["run", "pipelines/chain.yaml"], in: b.root, environment: ["LATHE_REMOTE": server.url])
        #expect(run.status == 0)
        #expect(run.stderr.contains("0 executed, 2 restored from cache"), "\(run.stderr)")
    }

    @Test("a run whose remote is down says so once and finishes locally")
    func serverDown() throws {
        let server = try NginxServer()
        server.stop()
        let p = project()
        let r = try CommandRunner.run(["run", "pipelines/chain.yaml", "--remote", server.url], in: p.root,
                                      environment: ["LATHE_REMOTE_TOKEN": "t0ken-never-logged"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Done: 2 executed"))
        #expect(r.stderr.contains("\(server.url) is unreachable"))
        #expect(r.stderr.contains("local store only"))
        #expect(!r.stderr.contains("t0ken-never-logged"))
    }

    @Test("pull of a recipe the remote lacks fails, naming the stage, and trains nothing")
    func pullMissing() throws {
        let server = try NginxServer()
        let p = project()
        let r = try CommandRunner.run(["pull", "pipelines/chain.yaml", "--remote", server.url], in: p.root)
        #expect(r.status == 1)
        #expect(r.stderr.contains("first failed: its result is in neither this store nor the remote cache"), "\(r.stderr)")
        #expect(r.stderr.contains("second: skipped"))
    }

    @Test("push and pull without a remote, or with credentials in the URL, are usage errors")
    func usage() throws {
        let p = project()
        #expect(try CommandRunner.run(["push", "pipelines/chain.yaml"], in: p.root).status == 64)
        let r = try CommandRunner.run(["run", "pipelines/chain.yaml", "--remote", "http://u:pw@127.0.0.1:1/x"], in: p.root)
        #expect(r.status == 64)
        #expect(r.stderr.contains("LATHE_REMOTE_TOKEN"))
    }
}
