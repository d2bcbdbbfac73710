import Foundation
import Testing
import TestSupport

/// Every `lathe` command shown in a code block of README.md and docs/*.md runs, in document order,
/// on a copy of `pipelines/` whose training stages take two steps (and whose evaluations score three
/// records), so the docs cannot drift from the CLI. `status` may exit 1 (something would run); every other command must exit 0.
@Suite(.serialized) struct CLIDocCommandTests {
    /// Documents whose commands are run (docs/recipes.md is generated from the key tables).
    static func documents() -> [URL] {
        let root = CommandRunner.packageRoot
        let docs = root.appendingPathComponent("docs")
        let extra = ((try? FileManager.default.contentsOfDirectory(atPath: docs.path)) ?? [])
            .filter { $0.hasSuffix(".md") && $0 != "recipes.md" }.sorted().map { docs.appendingPathComponent($0) }
        return [root.appendingPathComponent("README.md")] + extra
    }

    /// Lines of indented (4 spaces) or fenced code blocks that invoke `lathe`, comments cut.
    static func commands(in markdown: String) -> [String] {
        var out: [String] = []
        var fenced = false
        for raw in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") { fenced.toggle(); continue }
            guard fenced || line.hasPrefix("    ") else { continue }
            var command = line.trimmingCharacters(in: .whitespaces)
            if let hash = command.range(of: "   #") { command = String(command[..<hash.lowerBound]).trimmingCharacters(in: .whitespaces) }
            let invokes = command.hasPrefix("lathe ") || command.hasPrefix(".build/release/lathe ")
                || command.contains("| lathe ") || command.contains("| .build/release/lathe ")
            if invokes { out.append(command.replacingOccurrences(of: ".build/release/lathe", with: "lathe")) }
        }
        return out
    }

    @Test func everyDocumentedCommandRuns() throws {
        let p = TemporaryProject()
        let fm = FileManager.default
        let pipelines = p.root.appendingPathComponent("pipelines")
        try fm.removeItem(at: pipelines)
        try fm.copyItem(at: CommandRunner.packageRoot.appendingPathComponent("pipelines"), to: pipelines)
        for name in try RecipeFiles.yamlFiles(in: pipelines) {
            let url = pipelines.appendingPathComponent(name)
            let text = try String(contentsOf: url, encoding: .utf8)
            // two steps per training stage; evaluations on 3 records with answers of ≤ 8 tokens
            // (a stage's own max_samples / generation_max_new_tokens give way to the short ones)
            let short = text.replacingOccurrences(of: #"max_steps: \d+"#, with: "max_steps: 2", options: .regularExpression)
                .replacingOccurrences(of: #"(?m)^    (max_samples|generation_max_new_tokens): \d+[^\n]*\n"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: "kind: evaluate", with: "kind: evaluate\n    max_samples: 3\n    generation_max_new_tokens: 8")
            try Data(short.utf8).write(to: url)
            try? fm.removeItem(at: url.deletingPathExtension().appendingPathExtension("lock"))
        }
        // The demo and the real-model recipes read SmolLM2's GGUF and MiniLM from models/ (scripts/demo.sh puts them there).
        try ModelCache.install(ModelCache.smolLM2, files: [ModelCache.smolLM2GGUF], into: p.root)
        try ModelCache.install(ModelCache.allMiniLM, files: ModelCache.miniLMFiles, into: p.root)
        let bin = p.root.appendingPathComponent(".bin")
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        try fm.createSymbolicLink(at: bin.appendingPathComponent("lathe"), withDestinationURL: CommandRunner.latheBinary)

        var ran = 0
        for document in Self.documents() {
            let text = try String(contentsOf: document, encoding: .utf8)
            for command in Self.commands(in: text) {
                let result = try Shell.run(command, in: p.root, path: bin.path)
                let allowed: Set<Int32> = command.hasPrefix("lathe status") ? [0, 1] : [0]
                #expect(allowed.contains(result.status), """
                    \(document.lastPathComponent): `\(command)` exited \(result.status)
                    \(result.stderr.suffix(2000))
                    """)
                ran += 1
            }
        }
        #expect(ran >= 8, "only \(ran) documented commands found")
    }

    @Test func commandsAreFoundInIndentedAndFencedBlocksWithoutTheirComments() {
        let markdown = """
            Prose mentioning `lathe run x` is not run.

                .build/release/lathe status pipelines/demo.yaml      # what would run
                echo hi | lathe encode pipelines/demo.yaml:tok
                scripts/demo.sh

            ```sh
            lathe dag pipelines/demo.yaml --format mermaid
            ```
            """
        #expect(Self.commands(in: markdown) == [
            "lathe status pipelines/demo.yaml", "echo hi | lathe encode pipelines/demo.yaml:tok",
            "lathe dag pipelines/demo.yaml --format mermaid",
        ])
    }
}

/// `/bin/sh -c COMMAND` with `path` first on PATH, output captured.
enum Shell {
    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static func run(_ command: String, in directory: URL, path: String) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["PATH"] = path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        env["LATHE_STORE"] = nil
        process.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-doc-\(UUID().uuidString).out")
        let err = out.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
