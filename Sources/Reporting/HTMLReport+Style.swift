/// The page's style sheet, inlined. System fonts only (no web fonts to fetch); tabular figures
/// so numbers line up in columns. Holds no `<` or `&`, so the page stays well-formed XML.
extension HTMLReport {
    static let css = """
        :root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa; --accent: #0072b2; }
        * { box-sizing: border-box; }
        body { margin: 0; background: #fff; color: var(--fg);
          font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", "DejaVu Sans", sans-serif; }
        main { max-width: 1160px; margin: 0 auto; padding: 28px 28px 40px; }
        header { border-bottom: 1px solid var(--line); padding-bottom: 14px; margin-bottom: 8px; }
        .eyebrow { margin: 0; color: var(--accent); font-weight: 600; letter-spacing: .06em; text-transform: uppercase; font-size: 12px; }
        h1 { margin: 2px 0 4px; font-size: 30px; font-weight: 650; }
        h2 { font-size: 20px; margin: 30px 0 12px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 17px; margin: 20px 0 8px; }
        h4 { font-size: 14px; margin: 18px 0 6px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 600; }
        .facts, .muted { color: var(--muted); }
        .facts { margin: 0; }
        .small { font-size: 12.5px; }
        code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 90%; background: var(--soft); padding: 1px 4px; border-radius: 4px; }
        .figure { overflow-x: auto; padding: 8px 0; }
        svg { font-family: inherit; font-size: 12px; fill: var(--fg); max-width: 100%; height: auto; }
        svg .muted { fill: var(--muted); }
        svg .grid line { stroke: #eaeef2; stroke-width: 1; }
        svg .axis line { stroke: #8c959f; stroke-width: 1; }
        svg .axis text { fill: var(--muted); font-size: 11px; }
        svg .axis .label { fill: var(--fg); font-size: 12px; }
        svg .legend text { font-size: 12px; }
        svg .node-name { font-weight: 600; font-size: 13px; }
        svg .node-kind { font-size: 11.5px; }
        svg .bar-title { font-weight: 600; font-size: 13px; }
        svg .value { font-size: 11.5px; font-variant-numeric: tabular-nums; }
        svg .best { font-weight: 700; }
        .legend-row { display: flex; flex-wrap: wrap; gap: 6px 18px; margin: 4px 0 0; font-size: 13px; color: var(--muted); }
        .key { display: inline-flex; align-items: center; gap: 6px; }
        .swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; }
        .swatch.dashed { border: 2px dashed #8c959f; background: var(--soft); }
        .table-wrap { overflow-x: auto; }
        table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
        th, td { padding: 6px 9px; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; vertical-align: top; }
        thead th { background: var(--soft); font-weight: 600; font-size: 12.5px; color: var(--muted); border-bottom: 1px solid #afb8c1;
          white-space: normal; vertical-align: bottom; }
        table.summary thead th.num { max-width: 92px; }
        td.method { white-space: normal; min-width: 150px; }
        td.method .detail { display: block; padding-left: 16px; font-size: 12px; color: var(--muted); }
        tbody th { font-weight: 600; }
        tbody tr:hover { background: #fafbfc; }
        .num { text-align: right; }
        td.best { font-weight: 700; }
        tr.pending th, tr.pending td { color: var(--muted); }
        .kind-dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; margin-right: 7px; }
        .badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; line-height: 20px; border: 1px solid; }
        .badge.ok { color: #1a7f37; border-color: #aceebb; background: #dafbe1; }
        .badge.warn { color: #9a6700; border-color: #f5d87a; background: #fff8c5; }
        .badge.off { color: var(--muted); border-color: var(--line); background: var(--soft); }
        .footnotes { font-size: 13px; color: var(--muted); padding-left: 20px; }
        .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
        .card { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px 8px; }
        .card figcaption { margin-bottom: 4px; }
        .caption { margin: 2px 0 0; font-size: 12.5px; color: var(--muted); }
        .multiples { display: flex; flex-wrap: wrap; gap: 10px 28px; margin: 12px 0 4px; }
        .evaluation { margin-bottom: 20px; }
        .samples { margin-top: 14px; }
        .samples summary { cursor: pointer; font-weight: 600; }
        .sample { border-left: 3px solid var(--line); padding: 4px 0 4px 12px; margin: 10px 0; }
        .prompt { margin-bottom: 4px; }
        .prompt .muted { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; margin-right: 6px; }
        .text { white-space: pre-wrap; word-break: break-word; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
        table.outputs td.text { white-space: pre-wrap; }
        .notes { color: #9a6700; }
        footer { margin-top: 36px; padding-top: 12px; border-top: 1px solid var(--line); color: var(--muted); font-size: 12.5px; }
        """
}
