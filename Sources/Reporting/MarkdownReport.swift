import Foundation

/// Renders a ``ReportData`` as GitHub-flavoured Markdown for terminals and pull requests: the
/// graph as indented text, tables with right-aligned numbers, and loss curves as sparklines with
/// their first, final and best values.
public enum MarkdownReport {
    public static func render(_ data: ReportData) -> String {
        var out = "# Lathe report: \(cell(data.recipe))\n\n"
        out += pipeline(data)
        out += summary(data)
        out += training(data)
        out += evaluation(data)
        if !data.notes.isEmpty {
            out += "## Notes\n\n" + data.notes.map { "- \(cell($0))\n" }.joined() + "\n"
        }
        return out
    }

    static func pipeline(_ data: ReportData) -> String {
        guard !data.stages.isEmpty else { return "## Pipeline\n\nThe recipe has no stages.\n\n" }
        let width = data.stages.map(\.name.count).max() ?? 0
        var out = "## Pipeline\n\n```text\n"
        for s in data.stages {
            let name = s.name.padding(toLength: width, withPad: " ", startingAt: 0)
            let from = s.upstream.isEmpty ? "" : " ← " + s.upstream.joined(separator: ", ")
            let pending = s.status.hasResult ? "" : "  (not run yet)"
            // Inside a fence nothing is interpreted, but a name holding ``` would close it.
            out += "\(name)  [\(s.kind)]\(from)\(pending)".replacingOccurrences(of: "```", with: "'''")
                .replacingOccurrences(of: "\n", with: " ") + "\n"
        }
        return out + "```\n\n"
    }

    static func summary(_ data: ReportData) -> String {
        let cols = SummaryTable.columns
        var out = "## What each stage cost\n\n"
        out += row(cols.map(\.header))
        out += row(cols.map { $0.numeric ? "--:" : ":--" }, escape: false)
        for s in data.stages { out += row(cols.map { $0.cell(s) }) }
        out += "\n"
        for note in SummaryTable.footnotes(data.stages) { out += "- **\(cell(note.stage))**: \(cell(note.text))\n" }
        return out + (SummaryTable.footnotes(data.stages).isEmpty ? "" : "\n")
    }

    static func training(_ data: ReportData) -> String {
        let trained = data.stages.filter { !$0.curve.isEmpty }
        var out = "## Training curves\n\n"
        guard !trained.isEmpty else { return out + "No training stage has a loss log yet.\n\n" }
        out += row(["Stage", "Method", "Loss curve", "First loss", "Final loss", "Best val_loss", "At step", "Steps"])
        out += row([":--", ":--", ":--", "--:", "--:", "--:", "--:", "--:"], escape: false)
        for s in trained {
            let losses = s.curve.compactMap(\.loss)
            let best = CurveSummary.bestValidation(s.curve)
            out += row([
                s.name, s.method, Sparkline.render(losses),
                losses.first.map(Units.metric) ?? SummaryTable.dash, losses.last.map(Units.metric) ?? SummaryTable.dash,
                best.map { Units.metric($0.value) } ?? SummaryTable.dash, best.map { String($0.step) } ?? SummaryTable.dash,
                s.curve.last.map { String($0.step) } ?? SummaryTable.dash,
            ])
        }
        return out + "\n"
    }

    static func evaluation(_ data: ReportData) -> String {
        var out = "## Evaluation\n\n"
        if data.evaluations.isEmpty { out += "No evaluate stage has results yet.\n\n" }
        for evaluation in data.evaluations {
            out += "### \(cell(evaluation.stage))\n\n"
            for table in evaluation.tables {
                out += "**\(cell(table.dataset))**\n\n"
                out += row(["Model"] + table.metrics.map { "\($0) \(MetricStyle.lowerIsBetter($0) ? "↓" : "↑")" })
                out += row([":--"] + table.metrics.map { _ in "--:" }, escape: false)
                let best = table.metrics.indices.map { j in
                    MetricStyle.best(table.values.map { $0[j] }, lowerIsBetter: MetricStyle.lowerIsBetter(table.metrics[j]))
                }
                for (i, model) in table.models.enumerated() {
                    let values = table.metrics.indices.map { j -> String in
                        guard let v = table.values[i][j] else { return SummaryTable.dash }
                        return best[j] == i ? "**\(Units.metric(v))**" : Units.metric(v)
                    }
                    out += "| " + ([cell(model)] + values).joined(separator: " | ") + " |\n"
                }
                out += "\n"
            }
            if !evaluation.samples.isEmpty {
                out += "Samples:\n\n"
                out += row(["Model", "Prompt", "Output"])
                out += row([":--", ":--", ":--"], escape: false)
                for s in evaluation.samples {
                    out += row([s.model, Markup.truncate(s.prompt, 160), Markup.truncate(s.output, 240)])
                }
                out += "\n"
            }
        }
        return out
    }

    // MARK: - Escaping

    static func row(_ cells: [String], escape: Bool = true) -> String {
        "| " + cells.map { escape ? cell($0) : $0 }.joined(separator: " | ") + " |\n"
    }

    /// Table-cell text: one line, and Markdown/HTML punctuation backslash-escaped so a stage
    /// name or sample can neither break the table nor inject markup when a forge renders it.
    static func cell(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\n", "\r\n", "\r", "\t": out += " "
            case "\\", "|", "<", ">", "`", "*", "[", "]", "#", "&": out += "\\" + String(ch)
            case _ where ch.unicodeScalars.allSatisfy({ $0.value < 0x20 }): out += " "
            default: out.append(ch)
            }
        }
        return out
    }
}

/// Unicode block sparklines (`▇▅▃▂▁`) for terminals: values bucketed to at most `width` columns
/// (each the mean of its span), scaled between the series' min and max.
enum Sparkline {
    static let blocks: [Character] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    static func render(_ values: [Double], width: Int = 24) -> String {
        let finite = values.filter(\.isFinite)
        guard !finite.isEmpty else { return "" }
        let columns = min(width, finite.count)
        var means: [Double] = []
        for c in 0..<columns {
            let lo = c * finite.count / columns, hi = (c + 1) * finite.count / columns
            let span = finite[lo..<max(hi, lo + 1)]
            means.append(span.reduce(0, +) / Double(span.count))
        }
        let lo = means.min()!, hi = means.max()!
        return String(means.map { v in
            let level = hi > lo ? Int(((v - lo) / (hi - lo) * Double(blocks.count - 1)).rounded()) : blocks.count / 2
            return blocks[level]
        })
    }
}
