import Foundation
import Testing
import TestSupport

/// `lathe report` on a tiny trained chain, run by the built binary:
///
///     data/a.txt ── tok ── base (from scratch) ── tuned (last block trained)
@Suite(.serialized) struct CLIReportTests {
    static let recipe = """
        name: tiny
        seed: 3
        defaults: {sequence_len: 32, micro_batch_size: 4, logging_steps: 2, threads: 1}
        stages:
          tok: {kind: tokenize, datasets: [{path: data/a.txt, type: completion}], vocab_size: 280}
          base:
            kind: pretrain-continue
            from: scratch
            tokenizer: tok
            model: {n_layer: 2, n_head: 2, n_embd: 16, n_positions: 32}
            datasets: [{path: data/a.txt, type: completion}]
            val_set_size: 0.1
            max_steps: 20
            eval_steps: 5
            learning_rate: 3e-3
          tuned:
            kind: domain-adapt
            from: base
            freeze_trainable_layers: 1
            datasets: [{path: data/a.txt, type: completion}]
            val_set_size: 0.1
            max_steps: 10
            eval_steps: 5
            learning_rate: 1e-3
        """

    func project() -> TemporaryProject {
        let p = TemporaryProject()
        var rng = SplitMixGenerator(seed: 5)
        let words = ["lathe", "gouge", "spindle", "bowl", "grain", "chisel", "wood", "turns", "cuts", "the", "a"]
        var text = ""
        for _ in 0..<200 {
            text += (0..<8).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ") + ".\n\n"
        }
        p.write("pipelines/data/a.txt", text)
        p.write("pipelines/tiny.yaml", CLIReportTests.recipe)
        return p
    }

    @Test func reportBeforeAnyRunShowsEveryStageAsNotRunYet() throws {
        let p = project()
        let r = try CommandRunner.run(["report", "pipelines/tiny.yaml", "--format", "md"], in: p.root)
        #expect(r.status == 0, "\(r.stderr)")
        for stage in ["tok", "base", "tuned"] {
            #expect(r.stdout.contains("| \(stage) | "), "missing row for \(stage)")
        }
        #expect(r.stdout.components(separatedBy: "| not run yet |").count - 1 == 3)
        #expect(r.stdout.contains("No training stage has a loss log yet."))
    }

    @Test func reportAfterARunShowsCostsCurvesAndOutdatedStagesInBothFormats() throws {
        let p = project()
        let run = try CommandRunner.run(["run", "pipelines/tiny.yaml"], in: p.root)
        #expect(run.status == 0, "\(run.stderr)")

        // html by default, to reports/<name>.html in the project.
        let html = try CommandRunner.run(["report", "pipelines/tiny.yaml"], in: p.root)
        #expect(html.status == 0, "\(html.stderr)")
        #expect(html.stdout.isEmpty)
        #expect(html.stderr.contains("reports/tiny.html (3 of 3 stages with results)"))
        let page = try #require(p.read("reports/tiny.html"))
        #expect(page.hasPrefix("<!DOCTYPE html>"))
        #expect(page.components(separatedBy: "<svg").count - 1 == 3, "graph + two loss charts")
        #expect(page.contains("domain-adapt<span class=\"detail\">last 1 block trained</span>"))
        #expect(!page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "").contains("http"))

        // md to standard output: every stage's row with human units; a sparkline per trained stage.
        let md = try CommandRunner.run(["report", "pipelines/tiny.yaml", "--format", "md"], in: p.root)
        #expect(md.status == 0)
        let lines = md.stdout.split(separator: "\n")
        let base = try #require(lines.first { $0.hasPrefix("| base | pretrain-continue (from scratch) | up to date |") })
        #expect(base.contains(" | 100 % | "), "\(base)")
        #expect(base.contains("MFLOP") && base.contains(" MiB | "), "\(base)")
        let tuned = try #require(lines.first { $0.hasPrefix("| tuned | domain-adapt (last 1 block trained) | up to date |") })
        #expect(!tuned.contains(" | 100 % | "), "only the last block trains: \(tuned)")
        let curves = lines.filter { $0.hasPrefix("| base | pretrain-continue") || $0.hasPrefix("| tuned | domain-adapt") }
        #expect(curves.count == 4, "a cost row and a curve row per trained stage")
        #expect(curves.contains { $0.contains("▁") })

        // -o writes the file instead.
        let file = try CommandRunner.run(["report", "pipelines/tiny.yaml", "--format", "md", "-o", "out/r.md"], in: p.root)
        #expect(file.status == 0)
        #expect(p.read("out/r.md") == md.stdout)

        // A changed recipe marks the stage outdated (and keeps its last figures).
        let changed = try CommandRunner.run(["report", "pipelines/tiny.yaml", "--format", "md",
                                             "--set", "stages.tuned.learning_rate=5e-4"], in: p.root)
        #expect(changed.stdout.contains("| tuned | domain-adapt (last 1 block trained) | outdated |"))
        #expect(changed.stdout.contains("- **tuned**: figures are from its last run; a run now would redo it: learning_rate 0.001 → 0.0005."))

        if HeadlessChromium.shouldRun { try renderInChromium(p.root.appendingPathComponent("reports/tiny.html")) }
    }

    /// The generated page in headless Chromium: drawn, with its plots and table, and a silent console.
    func renderInChromium(_ page: URL) throws {
        let rendering = try HeadlessChromium.render(page, width: 1200, height: 1600)
        #expect(rendering.console.isEmpty, "console: \(rendering.console)")
        #expect(HeadlessChromium.pngSize(rendering.screenshot).map { $0 == (1200, 1600) } == true)
        #expect(rendering.screenshot.count > 30_000)
        #expect(rendering.dom.components(separatedBy: "<svg").count - 1 == 3)
        #expect(rendering.dom.components(separatedBy: "<polyline").count - 1 == 4, "loss and val_loss of two stages")
        #expect(rendering.dom.contains("<table class=\"summary\">"))
    }

    @Test func helpListsReportWithExamples() throws {
        let root = try CommandRunner.run(["--help"], in: CommandRunner.packageRoot)
        #expect(root.stdout.contains("  report "))
        let help = try CommandRunner.run(["report", "--help"], in: CommandRunner.packageRoot)
        #expect(help.stdout.contains("Examples:"))
        #expect(help.stdout.contains("lathe report pipelines/demo.yaml --format md"))
    }

    @Test func unknownFormatIsAUsageError() throws {
        let p = project()
        let r = try CommandRunner.run(["report", "pipelines/tiny.yaml", "--format", "pdf"], in: p.root)
        #expect(r.status == 64)
        #expect(r.stderr.contains("pdf"))
    }
}
