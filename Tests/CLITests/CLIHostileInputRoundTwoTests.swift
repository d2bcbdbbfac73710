import Foundation
import Testing
import TestSupport

/// Issue 23, end to end on the built binary: links out of a dataset folder or an HF folder, a FIFO as
/// data, `gc` pointed at a folder that is not a store, raw error text from `export` and `report`.
/// Escapes are checked by what the process opens (strace, when installed) and by what reaches the
/// results, not only by exit codes.
@Suite(.serialized) struct CLIHostileInputRoundTwoTests {
    static let secret = "SECRET-OUTSIDE-THE-PROJECT"

    /// A project whose tokenize stage reads the folder `data/corpus` (one real file inside).
    func project(_ recipe: String? = nil) -> TemporaryProject {
        let p = TemporaryProject()
        p.write("pipelines/data/corpus/a.txt", String(repeating: "the lathe turns wood into bowls.\n\n", count: 40))
        p.write("pipelines/r.yaml", recipe ?? """
            name: r
            stages:
              tok: {kind: tokenize, datasets: [{path: data/corpus, type: completion}], vocab_size: 280}
            """)
        return p
    }

    func outsideFile(_ text: String = secret + "\n") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-outside-\(UUID().uuidString.prefix(8)).txt")
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Every file under `dir` whose bytes contain `text`.
    func files(containing text: String, in dir: URL) -> [String] {
        let fm = FileManager.default
        let names = (try? fm.subpathsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { name in
            guard let data = fm.contents(atPath: dir.appendingPathComponent(name).path) else { return false }
            return data.range(of: Data(text.utf8)) != nil
        }
    }

    /// Paths `lathe args` opened (openat), or nil when strace is not installed.
    func openedPaths(_ args: [String], in root: URL) throws -> (status: Int32, opened: [String])? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/strace") else { return nil }
        let log = root.appendingPathComponent("strace.log")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/strace")
        p.arguments = ["-f", "-qq", "-e", "trace=open,openat", "-o", log.path, CommandRunner.latheBinary.path] + args
        p.currentDirectoryURL = root
        var env = ProcessInfo.processInfo.environment
        env["LATHE_STORE"] = nil
        p.environment = env
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let lines = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").map(String.init) ?? []
        try? FileManager.default.removeItem(at: log)
        _ = text
        return (p.terminationStatus, lines)
    }

    @Test("a link in a dataset folder to a file outside the project is refused by run and status, never opened, never in a result")
    func linkOutOfADatasetFolder() throws {
        let p = project()
        let secret = try outsideFile()
        defer { try? FileManager.default.removeItem(at: secret) }
        try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("pipelines/data/corpus/b.txt").path,
                                                   withDestinationPath: secret.path)
        let run = try CommandRunner.run(["run", "pipelines/r.yaml"], in: p.root)
        #expect(run.status == 1)
        #expect(run.stderr.contains("pipelines/data/corpus/b.txt is a symbolic link to"), "\(run.stderr)")
        #expect(run.stderr.contains("outside the project root"))
        let status = try CommandRunner.run(["status", "pipelines/r.yaml"], in: p.root)
        #expect(status.status != 0 && status.stderr.contains("corpus/b.txt"))
        #expect(files(containing: Self.secret, in: p.store).isEmpty)
        if let (traced, opened) = try openedPaths(["run", "pipelines/r.yaml"], in: p.root) {
            #expect(traced == 1)
            #expect(!opened.contains { $0.contains(secret.lastPathComponent) || $0.contains("corpus/b.txt\"") }, "\(opened.filter { $0.contains("lathe-outside") })")
        }
        // A link that stays inside the project is read, and its content is in the key.
        try FileManager.default.removeItem(at: p.root.appendingPathComponent("pipelines/data/corpus/b.txt"))
        p.write("pipelines/shared/b.txt", "shared text inside the project\n\n")
        try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("pipelines/data/corpus/b.txt").path,
                                                   withDestinationPath: "../../shared/b.txt")
        #expect(try CommandRunner.run(["run", "pipelines/r.yaml"], in: p.root).status == 0)
        p.write("pipelines/shared/b.txt", "changed shared text\n\n")
        let after = try CommandRunner.run(["status", "pipelines/r.yaml"], in: p.root)
        #expect(after.stdout.contains("will run"), "\(after.stdout)")
    }

    @Test("an HF folder whose tokenizer.json links outside the project is refused naming the link")
    func linkOutOfAnHFFolder() throws {
        let p = project()
        #expect(try CommandRunner.run(["run", "pipelines/r.yaml"], in: p.root).status == 0)
        let lock = try JSONSerialization.jsonObject(with: Data(try #require(p.read("pipelines/r.lock")).utf8)) as? [String: Any]
        let key = try #require(((lock?["stages"] as? [String: Any])?["tok"] as? [String: Any])?["key"] as? String)
        let tokenizer = p.store.appendingPathComponent("\(key.prefix(2))/\(key)/out/tokenizer.json")
        let outside = try outsideFile(try String(contentsOf: tokenizer, encoding: .utf8))
        defer { try? FileManager.default.removeItem(at: outside) }
        try FileManager.default.createDirectory(at: p.root.appendingPathComponent("pipelines/hf"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: p.root.appendingPathComponent("pipelines/hf/tokenizer.json").path,
                                                   withDestinationPath: outside.path)
        p.write("pipelines/h.yaml", """
            name: h
            stages:
              tok: {kind: tokenize, from: ./hf, datasets: [{path: data/corpus, type: completion}]}
            """)
        let run = try CommandRunner.run(["run", "pipelines/h.yaml"], in: p.root)
        #expect(run.status == 1)
        #expect(run.stderr.contains("pipelines/hf/tokenizer.json is a symbolic link to"), "\(run.stderr)")
        if let (_, opened) = try openedPaths(["run", "pipelines/h.yaml"], in: p.root) {
            #expect(!opened.contains { $0.contains(outside.lastPathComponent) || $0.contains("hf/tokenizer.json\"") })
        }
    }

    @Test("a FIFO as a dataset fails validate, status and run at once with a message that says FIFO")
    func fifoAsADataset() throws {
        let p = project("""
            name: r
            stages:
              tok: {kind: tokenize, datasets: [{path: data/corpus, type: completion}], vocab_size: 280}
            """)
        let fifo = p.root.appendingPathComponent("pipelines/data/corpus/pipe.txt").path
        #expect(mkfifo(fifo, 0o644) == 0)
        for command in ["run", "status"] {
            let start = Date()
            let r = try CommandRunner.run([command, "pipelines/r.yaml"], in: p.root, timeout: 20)
            #expect(!r.signaled && r.status == 1, "\(command): \(r.stderr)")
            #expect(r.stderr.contains("is a FIFO (named pipe), not a regular file"), "\(command): \(r.stderr)")
            #expect(!r.stderr.contains("permission"))
            #expect(Date().timeIntervalSince(start) < 15)
        }
        p.write("pipelines/f.yaml", "name: f\nstages:\n  tok: {kind: tokenize, datasets: [{path: data/corpus/pipe.txt}], vocab_size: 280}\n")
        let validate = try CommandRunner.run(["validate", "pipelines/f.yaml"], in: p.root, timeout: 20)
        #expect(validate.status == 64 && validate.stderr.contains("FIFO"), "\(validate.stderr)")
    }

    @Test("gc --datasets in a folder that is not a store deletes nothing; run refuses to write there")
    func gcOnAProjectFolder() throws {
        let p = project()
        p.write("datasets/mine.csv", "a,b\n")
        p.write("tmp/work-notes/todo.txt", "keep\n")
        let gc = try CommandRunner.run(["gc", "--datasets", "--store", "."], in: p.root)
        #expect(gc.status == 1)
        #expect(gc.stderr.contains("is not a Lathe store"), "\(gc.stderr)")
        #expect(p.read("datasets/mine.csv") == "a,b\n" && p.read("tmp/work-notes/todo.txt") == "keep\n")
        let run = try CommandRunner.run(["run", "pipelines/r.yaml", "--store", "."], in: p.root)
        #expect(run.status == 1 && run.stderr.contains("is not a Lathe store"), "\(run.stderr)")
        // The real store works as before, and gc there keeps the user's look-alike names.
        #expect(try CommandRunner.run(["run", "pipelines/r.yaml"], in: p.root).status == 0)
        p.write("artifacts/tmp/work-notes/todo.txt", "keep\n")
        #expect(try CommandRunner.run(["gc", "--datasets"], in: p.root).status == 0)
        #expect(p.read("artifacts/tmp/work-notes/todo.txt") == "keep\n")
    }

    @Test("export into a file and report into a folder give clear messages, not raw NSError text")
    func exportAndReportMessages() throws {
        let p = project()
        #expect(try CommandRunner.run(["run", "pipelines/r.yaml"], in: p.root).status == 0)
        p.write("out.txt", "x")
        let export = try CommandRunner.run(["export", "pipelines/r.yaml", "tok", "out.txt", "--force"], in: p.root)
        #expect(export.status == 64 && export.stderr.contains("out.txt is a file, not a folder"), "\(export.stderr)")
        try FileManager.default.createDirectory(at: p.root.appendingPathComponent("exp"), withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o500], ofItemAtPath: p.root.appendingPathComponent("exp").path)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: p.root.appendingPathComponent("exp").path) }
        p.write("exp2/tokenizer.json", "old")
        let readOnly = try CommandRunner.run(["export", "pipelines/r.yaml", "tok", "exp/sub", "--force"], in: p.root)
        if getuid() != 0 {  // root ignores the permission bits
            #expect(readOnly.status == 1 && !readOnly.stderr.contains("Error Domain") && readOnly.stderr.contains("permission denied"), "\(readOnly.stderr)")
        }
        try FileManager.default.createDirectory(at: p.root.appendingPathComponent("rep"), withIntermediateDirectories: true)
        let report = try CommandRunner.run(["report", "pipelines/r.yaml", "-o", "rep"], in: p.root)
        #expect(report.status == 64 && report.stderr.contains("is a folder; name a file"), "\(report.stderr)")
        p.write("file", "x")
        let underFile = try CommandRunner.run(["report", "pipelines/r.yaml", "-o", "file/r.html"], in: p.root)
        #expect(underFile.status == 1 && !underFile.stderr.contains("Error Domain"), "\(underFile.stderr)")
        #expect(underFile.stderr.contains("in the way") || underFile.stderr.contains("not a folder"), "\(underFile.stderr)")
    }
}
