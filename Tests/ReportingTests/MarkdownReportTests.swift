import Foundation
import Reporting
import Testing

@Suite struct MarkdownReportTests {
    /// The whole Markdown rendering of the fixture, pinned. Reviewed by eye: graph as text, cost
    /// table right-aligned with human units, sparklines, best metric per column in bold.
    static let golden = """
        # Lathe report: demo

        ## Pipeline

        ```text
        tok    [tokenize]
        base   [pretrain-continue] ← tok
        sft    [instruct] ← base
        lora   [attach-adapters] ← base
        later  [instruct] ← base  (not run yet)
        eval   [evaluate] ← base, lora, sft
        ```

        ## What each stage cost

        | Stage | Method | Status | Trainable params | Trainable % | Tokens | FLOPs | Wall time | Peak memory | Train loss | Val loss |
        | :-- | :-- | :-- | --: | --: | --: | --: | --: | --: | --: | --: |
        | tok | tokenize (vocab 1024) | up to date | – | – | 152 K | – | 0.84 s | – | – | – |
        | base | pretrain-continue (from scratch) | up to date | 941 K | 100 % | 614 K | 3.47 TFLOP | 1 min 02 s | 268 MiB | 2.310 | 2.452 |
        | sft | instruct | not in this store | 941 K | 100 % | 307 K | 1.73 TFLOP | 31.7 s | 270 MiB | 0.1727 | 1.835 |
        | lora | attach-adapters (LoRA r=8, α=16 on c_attn) | outdated | 24.6 K | 2.55 % | 307 K | 1.78 TFLOP | 19.2 s | 1.5 GiB | 0.4000 | 1.900 |
        | later | instruct | not run yet | – | – | – | – | – | – | – | – |
        | eval | evaluate (3 models) | up to date | – | – | – | – | 4.50 s | – | – | – |

        - **sft**: figures are from the lock file; its outputs (and loss curve) are not in this store.
        - **lora**: figures are from its last run; a run now would redo it: learning_rate 0.001 → 0.0005.

        ## Training curves

        | Stage | Method | Loss curve | First loss | Final loss | Best val_loss | At step | Steps |
        | :-- | :-- | :-- | --: | --: | --: | --: | --: |
        | base | pretrain-continue (from scratch) | █▇▆▅▅▄▄▃▃▂▂▂▂▂▂▁▁▁▁▁▁▁▁▁ | 6.238 | 2.382 | 2.532 | 300 | 300 |
        | lora | attach-adapters (LoRA r=8, α=16 on c_attn) | █▆▅▄▃▃▂▂▂▁▁▁▁▁▁ | 2.468 | 0.4495 | 0.5995 | 150 | 150 |

        ## Evaluation

        ### eval

        **pipelines/data/qa-test.jsonl**

        | Model | loss ↓ | perplexity ↓ | exact_match ↑ |
        | :-- | --: | --: | --: |
        | base | 3.200 | 24.53 | 0.0000 |
        | sft | **1.840** | **6.297** | **0.4200** |
        | lora | 1.900 | 6.686 | 0.4000 |

        **pipelines/data/general-test.txt**

        | Model | perplexity ↓ | forgetting ↓ |
        | :-- | --: | --: |
        | base | **11.20** | – |
        | sft | 13.90 | 0.2155 |
        | lora | 11.60 | **0.0351** |

        Samples:

        | Model | Prompt | Output |
        | :-- | :-- | :-- |
        | base | What is glassvine? | the the the |
        | sft | What is glassvine? | A climbing plant with clear stems. |

        ## Notes

        - pipelines/x/logs/metrics.jsonl: skipped 1 line that is not a JSON object with a 'step'.


        """

    @Test func markdownMatchesTheGoldenReport() {
        let text = MarkdownReport.render(Fixtures.report)
        #expect(text == MarkdownReportTests.golden)
        if text != MarkdownReportTests.golden {
            // Show the first differing line, which #expect on two long strings buries.
            let a = text.split(separator: "\n", omittingEmptySubsequences: false)
            let b = MarkdownReportTests.golden.split(separator: "\n", omittingEmptySubsequences: false)
            if let i = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
                Issue.record("line \(i + 1):\n got: \(a[i])\nwant: \(b[i])")
            }
        }
    }

    /// Pipes not preceded by a backslash escape.
    func cellSeparators(_ line: Substring) -> Int {
        var count = 0, escaped = false
        for ch in line {
            if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "|" { count += 1 }
        }
        return count
    }

    @Test func hostileTextCannotBreakTablesOrInjectMarkup() {
        let text = MarkdownReport.render(Fixtures.hostileReport)
        // Every row of the cost table keeps its 11 columns: no cell text added a separator.
        let costTable = text.components(separatedBy: "## What each stage cost\n\n")[1].components(separatedBy: "\n\n")[0]
        let rows = costTable.split(separator: "\n")
        #expect(rows.count == 2 + 6)
        for row in rows { #expect(cellSeparators(row) == 12, "\(row)") }
        // So does every row of the samples table (3 columns).
        let samples = text.components(separatedBy: "Samples:\n\n")[1].components(separatedBy: "\n\n")[0]
        for row in samples.split(separator: "\n") { #expect(cellSeparators(row) == 4, "\(row)") }
        // Outside the graph's code fence every '<' is backslash-escaped, so no tag reaches a renderer.
        let afterFence = text.components(separatedBy: "```\n\n")[1]
        #expect(afterFence.components(separatedBy: "<").count == afterFence.components(separatedBy: "\\<").count)
        #expect(afterFence.contains("\\<img src=x onerror=alert(1)\\>"))
        #expect(!text.contains("\u{01}"))
        // Inside the graph's code fence text is literal, and harmless.
        #expect(text.contains("<script>alert('x')</script>&\"q\"  [pretrain-continue]"))
    }

    @Test func emptyRecipeStillRenders() {
        let text = MarkdownReport.render(ReportData(recipe: "empty", stages: []))
        #expect(text.contains("The recipe has no stages."))
        #expect(text.contains("No training stage has a loss log yet."))
        #expect(text.contains("No evaluate stage has results yet."))
    }
}
