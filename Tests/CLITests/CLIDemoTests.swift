import Foundation
import Testing
import TestSupport

/// The demo recipe, as shipped, run end to end on a copy of `pipelines/` (with SmolLM2's GGUF in
/// `models/`, as scripts/demo.sh puts it) on a reduced budget: two LoRA steps of 2 rows × 64 tokens,
/// an evaluation of 3 records per data set in 64-token rows, samples of at most 8 tokens. Then run again, which
/// must execute nothing and say so.
@Suite(.serialized) struct CLIDemoTests {
    static let shortRun = ["--set", "stages.glassvine.max_steps=2", "--set", "stages.glassvine.micro_batch_size=2",
                           "--set", "stages.glassvine.sequence_len=64", "--set", "stages.chat.max_steps=2",
                           "--set", "stages.chat.micro_batch_size=1", "--set", "stages.chat-r2.max_steps=2",
                           "--set", "stages.chat-r2.micro_batch_size=1"]
        + ["sentiment", "encoder-only", "transferred"].flatMap { ["--set", "stages.\($0).max_steps=2"] }
        + shortEvaluation("compare") + shortEvaluation("chat-scores") + ["--set", "stages.scores.max_samples=8"]
        + ["--set", #"stages.chat-scores.samples.prompts=["Notes: Growers plant amberlace in chalk. Which soil?"]"#]
        + ["--set", "stages.compare.eval_sequence_len=64"]  // a debug build scores 64-token rows, not one padded to 1,024

    /// The demo's stages, in recipe order.
    static let stages = ["glassvine", "compare", "chat", "chat-r2", "chat-scores", "sentiment", "encoder-only", "transferred", "scores"]

    /// The line of `lathe status` output about `stage` (names are padded to the longest).
    static func statusLine(_ output: String, _ stage: String) -> String {
        output.split(separator: "\n").map(String.init).first { $0.hasPrefix(stage + " ") } ?? ""
    }

    static func shortEvaluation(_ stage: String) -> [String] {
        ["--set", "stages.\(stage).max_samples=3", "--set", "stages.\(stage).generation_max_new_tokens=8"]
    }

    /// A project holding a copy of `pipelines/` and SmolLM2's GGUF; without the committed lock unless `keepLock`.
    static func copyOfPipelines(keepLock: Bool = false) throws -> TemporaryProject {
        let p = TemporaryProject()
        let fm = FileManager.default
        let source = CommandRunner.packageRoot.appendingPathComponent("pipelines")
        let target = p.root.appendingPathComponent("pipelines")
        try fm.removeItem(at: target)
        try fm.copyItem(at: source, to: target)
        // Start from no lock file, as a fresh clone's user with a changed recipe would.
        if !keepLock { try? fm.removeItem(at: target.appendingPathComponent("demo.lock")) }
        try ModelCache.install(ModelCache.smolLM2, files: [ModelCache.smolLM2GGUF], into: p.root)
        try ModelCache.install(ModelCache.allMiniLM, files: ModelCache.miniLMFiles, into: p.root)
        return p
    }

    func copyOfPipelines() throws -> TemporaryProject { try Self.copyOfPipelines() }

    @Test("the demo runs end to end on a reduced budget, then a second run executes nothing")
    func demoRunsEndToEndThenASecondRunExecutesNothing() throws {
        let p = try copyOfPipelines()
        // nine stages on two real models in a debug build, beside the other suites in CI: longer than the default 300 s
        let first = try CommandRunner.run(["run", "pipelines/demo.yaml"] + CLIDemoTests.shortRun, in: p.root, timeout: 1_200)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("Done: \(Self.stages.count) executed"), "\(first.stderr)")
        let lock = try #require(p.read("pipelines/demo.lock"))
        for stage in Self.stages { #expect(lock.contains("\"\(stage)\": {")) }
        #expect(lock.contains("/reviews-test/majority_baseline\""), "the classifier scores sit next to the majority baseline")
        #expect(lock.contains("\"trainable_params\""))
        #expect(lock.contains("\"blas_kernels\": \"Haswell\""), "the demo is deterministic: Haswell kernels")
        let second = try CommandRunner.run(["run", "pipelines/demo.yaml"] + CLIDemoTests.shortRun, in: p.root)
        #expect(second.status == 0)
        #expect(second.stderr.contains("Nothing to do: all \(Self.stages.count) stages are up to date (0 executed"), "\(second.stderr)")
        #expect(p.read("pipelines/demo.lock") == lock)
        let status = try CommandRunner.run(["status", "pipelines/demo.yaml"] + CLIDemoTests.shortRun, in: p.root)
        #expect(status.status == 0)
        let changed = try CommandRunner.run(["status", "pipelines/demo.yaml"] + CLIDemoTests.shortRun
                                            + ["--set", "stages.glassvine.learning_rate=1e-4"], in: p.root)
        #expect(changed.status == 1)
        #expect(Self.statusLine(changed.stdout, "glassvine").contains("will run: learning_rate"), "\(changed.stdout)")
        #expect(Self.statusLine(changed.stdout, "compare").contains("pending upstream 'glassvine'"), "\(changed.stdout)")
        #expect(Self.statusLine(changed.stdout, "chat").contains("up to date"), "\(changed.stdout)")
    }

    @Test("the committed demo.lock matches the recipe and data: a fresh clone's run only computes the recorded keys")
    func theCommittedLockIsCurrent() throws {
        let p = try Self.copyOfPipelines(keepLock: true)
        let status = try CommandRunner.run(["status", "pipelines/demo.yaml"], in: p.root)
        #expect(status.status == 1)  // nothing in this store yet
        #expect(Self.statusLine(status.stdout, "glassvine").contains("will run: its recorded result is not in this store"), "\(status.stdout)")
        let lock = try #require(p.read("pipelines/demo.lock"))
        for stage in Self.stages { #expect(lock.contains("\"\(stage)\": {"), "the committed lock lacks '\(stage)'") }
        #expect(lock.contains("\"blas_kernels\": \"Haswell\""), "the committed lock was not computed with deterministic kernels")
        #expect(!lock.contains("\"max_steps\": \"2\""), "the committed lock is from a reduced run")
    }

    /// Each method recipe with two steps per training stage, all in one store: the tokenizer and
    /// base model they share with the demo train once and are restored for the others.
    @Test func everyMethodRecipeRunsOnAMinimalBudget() throws {
        let p = try copyOfPipelines()
        let methods: [(recipe: String, trained: [String])] = [
            ("continued-pretraining", ["more"]), ("domain-adaptation", ["glassvine"]), ("instruction-tuning", ["assistant"]),
            ("transfer-learning", ["reviews"]), ("adapter-finetuning", ["lora"]),
        ]
        for (index, method) in methods.enumerated() {
            let budget = (["base"] + method.trained).flatMap { ["--set", "stages.\($0).max_steps=2"] }
                + (method.recipe == "adapter-finetuning" ? Self.shortEvaluation("compare") : [])
            let run = try CommandRunner.run(["run", "pipelines/methods/\(method.recipe).yaml"] + budget, in: p.root)
            #expect(run.status == 0, "\(method.recipe): \(run.stderr)")
            #expect(p.read("pipelines/methods/\(method.recipe).lock") != nil, "\(method.recipe) wrote no lock file")
            if index > 0 {
                // tok and base come from the first recipe's run
                #expect(run.stderr.contains("2 restored from cache"), "\(method.recipe): \(run.stderr)")
                let status = try CommandRunner.run(["status", "pipelines/methods/\(method.recipe).yaml"] + budget, in: p.root)
                #expect(status.status == 0, "\(method.recipe) is not up to date after its run: \(status.stdout)")
            }
        }
        let rerun = try CommandRunner.run(["run", "pipelines/methods/continued-pretraining.yaml", "--set", "stages.base.max_steps=2",
                                           "--set", "stages.more.max_steps=2"], in: p.root)
        #expect(rerun.stderr.contains("Nothing to do"), "\(rerun.stderr)")
    }

    @Test func everyExampleRecipeValidates() throws {
        let dir = CommandRunner.packageRoot.appendingPathComponent("pipelines")
        var recipes: [String] = []
        for name in try RecipeFiles.yamlFiles(in: dir) { recipes.append("pipelines/" + name) }
        #expect(!recipes.isEmpty)
        let r = try CommandRunner.run(["validate"] + recipes, in: CommandRunner.packageRoot)
        #expect(r.status == 0, "\(r.stderr)")
    }
}

/// `pipelines/**/*.yaml`, relative, sorted.
enum RecipeFiles {
    static func yamlFiles(in dir: URL) throws -> [String] {
        let all = FileManager.default.subpaths(atPath: dir.path) ?? []
        return all.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix("data/") }.sorted()
    }
}
