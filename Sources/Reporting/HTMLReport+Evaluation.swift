/// The evaluation section: per evaluate stage and test dataset, a models × metrics table (best
/// value in bold) and one small bar chart per metric; then the sampled generations.
extension HTMLReport {
    static func evaluation(_ data: ReportData) -> String {
        let pendingEvaluations = data.stages.filter { $0.kind == "evaluate" && !data.evaluations.map(\.stage).contains($0.name) }
        var out = ""
        if data.evaluations.isEmpty {
            out += "<p class=\"muted\">No evaluate stage has results yet"
                + (data.stages.contains { $0.kind == "evaluate" } ? "." : ": add an <code>evaluate</code> stage to compare models.") + "</p>"
        }
        for evaluation in data.evaluations {
            out += "<article class=\"evaluation\"><h3>\(Markup.text(evaluation.stage))</h3>"
            // Each model keeps its colour in every chart of this stage.
            var colors: [String: String] = [:]
            for model in evaluation.tables.flatMap(\.models) where colors[model] == nil {
                colors[model] = KindStyle.palette[colors.count % KindStyle.palette.count]
            }
            for table in evaluation.tables {
                out += "<h4>\(Markup.text(table.dataset))</h4>"
                out += metricTable(table)
                out += "<div class=\"multiples\">"
                for (j, metric) in table.metrics.enumerated() {
                    let bars = table.models.enumerated().map { i, model in
                        BarChart.Bar(label: model, value: table.values[i][j], color: colors[model] ?? "#0072b2")
                    }
                    out += BarChart(title: metric, bars: bars, lowerIsBetter: MetricStyle.lowerIsBetter(metric)).svg()
                }
                out += "</div>"
            }
            if !evaluation.samples.isEmpty { out += samples(evaluation.samples) }
            out += "</article>"
        }
        for stage in pendingEvaluations {
            out += "<p class=\"muted\"><strong>\(Markup.text(stage.name))</strong>: \(Markup.text(stage.status.label)).</p>"
        }
        return out
    }

    static func metricTable(_ table: EvaluationReport.Table) -> String {
        var out = "<div class=\"table-wrap\"><table class=\"metrics\"><thead><tr><th>Model</th>"
        for metric in table.metrics {
            let arrow = MetricStyle.lowerIsBetter(metric) ? "↓" : "↑"
            out += "<th class=\"num\">\(Markup.text(metric)) <span class=\"muted\">\(arrow)</span></th>"
        }
        out += "</tr></thead><tbody>"
        let best = table.metrics.indices.map { j in
            MetricStyle.best(table.values.map { $0[j] }, lowerIsBetter: MetricStyle.lowerIsBetter(table.metrics[j]))
        }
        for (i, model) in table.models.enumerated() {
            out += "<tr><th scope=\"row\">\(Markup.text(model))</th>"
            for j in table.metrics.indices {
                let text = table.values[i][j].map(Units.metric) ?? SummaryTable.dash
                out += best[j] == i ? "<td class=\"num best\">\(text)</td>" : "<td class=\"num\">\(text)</td>"
            }
            out += "</tr>"
        }
        return out + "</tbody></table></div>"
    }

    /// Generations grouped by prompt, one row per model.
    static func samples(_ samples: [EvaluationReport.Sample]) -> String {
        var prompts: [String] = []
        var byPrompt: [String: [EvaluationReport.Sample]] = [:]
        for s in samples {
            if byPrompt[s.prompt] == nil { prompts.append(s.prompt) }
            byPrompt[s.prompt, default: []].append(s)
        }
        var out = "<details class=\"samples\" open=\"open\"><summary>Samples (\(samples.count))</summary>"
        for prompt in prompts {
            out += "<div class=\"sample\"><div class=\"prompt\"><span class=\"muted\">prompt</span> <span class=\"text\">\(Markup.text(prompt))</span></div>"
            out += "<table class=\"outputs\"><tbody>"
            for s in byPrompt[prompt] ?? [] {
                out += "<tr><th scope=\"row\">\(Markup.text(s.model))</th><td class=\"text\">\(Markup.text(s.output))</td></tr>"
            }
            out += "</tbody></table></div>"
        }
        return out + "</details>"
    }
}
