import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Reporting
import Testing

/// Counts elements and collects text while parsing a page as XML; a parse error fails the test.
final class PageParser: NSObject, XMLParserDelegate {
    var counts: [String: Int] = [:]
    var text = ""
    var attributes: [(element: String, name: String, value: String)] = []
    var error: String?

    static func parse(_ page: String) -> PageParser {
        let delegate = PageParser()
        let parser = XMLParser(data: Data(page.utf8))
        parser.delegate = delegate
        if !parser.parse() {
            delegate.error = "line \(parser.lineNumber), column \(parser.columnNumber): \(parser.parserError.map { "\($0)" } ?? "unknown")"
        }
        return delegate
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        counts[name, default: 0] += 1
        for (k, v) in attributes { self.attributes.append((name, k, v)) }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
}

@Suite struct HTMLReportTests {
    let page = HTMLReport.render(Fixtures.report)

    @Test func pageIsWellFormedMarkupWithTheDagChartsAndTables() throws {
        let parsed = PageParser.parse(page)
        #expect(parsed.error == nil, "\(parsed.error ?? "")")
        // One graph, two loss charts (base, lora), one bar chart per (dataset, metric): 3 + 2.
        #expect(parsed.counts["svg"] == 1 + 2 + 5)
        #expect(parsed.counts["polyline"] == 4, "loss and val_loss lines of two stages")
        // Summary, two metric tables and the samples table.
        #expect(parsed.counts["table"] == 4)
        // Edges of the graph: base←tok, sft←base, lora←base, later←base, eval←{base, lora, sft}.
        #expect(parsed.attributes.filter { $0.name == "marker-end" }.count == 7)
        for section in ["pipeline", "summary", "training", "evaluation", "notes"] {
            #expect(parsed.attributes.contains { $0.element == "section" && $0.name == "id" && $0.value == section })
        }
    }

    @Test func pageLoadsNothingFromOutside() {
        // The SVG namespace name is an identifier, never fetched.
        let stripped = page.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
        for forbidden in ["http://", "https://", "src=", "<script", "<link", "<img", "<iframe", "@import", "@font-face", "href="] {
            #expect(!stripped.contains(forbidden), "found \(forbidden)")
        }
        // url(...) only for the graph's own arrow marker.
        #expect(page.components(separatedBy: "url(").count - 1 == page.components(separatedBy: "url(#dag-arrow)").count - 1)
    }

    @Test func tablesShowHumanUnitsAndRightAlignedNumbers() {
        for text in ["941 K", "100 %", "2.55 %", "614 K", "3.47 TFLOP", "1 min 02 s", "268 MiB", "1.5 GiB", "19.2 s", "24.6 K"] {
            #expect(page.contains(">\(text)</td>"), "missing \(text)")
        }
        #expect(page.contains("<td class=\"num\">941 K</td>"))
        #expect(page.contains("<td class=\"num best\">0.4200</td>"), "best exact_match is bold")
        #expect(page.contains("<td class=\"num best\">11.20</td>"), "lowest perplexity is bold")
    }

    @Test func everyStatusIsShownAndNotRunIsNotAnError() {
        #expect(page.contains(">not run yet</span>"))
        #expect(page.contains(">not in this store</span>"))
        #expect(page.contains("title=\"a run now would redo it: learning_rate 0.001 → 0.0005\">outdated</span>"))
        #expect(page.contains("<strong>later</strong> (not run yet)"))
    }

    @Test func renderingIsDeterministic() {
        #expect(HTMLReport.render(Fixtures.report) == page)
    }

    @Test func hostileNamesAndSamplesAreEscapedEverywhere() throws {
        let hostile = HTMLReport.render(Fixtures.hostileReport)
        let parsed = PageParser.parse(hostile)
        #expect(parsed.error == nil, "\(parsed.error ?? "")")
        // No element came from user text: the counts match the harmless page's, plus one sample row.
        let plain = PageParser.parse(page)
        #expect(parsed.counts["script"] == nil)
        #expect(parsed.counts["img"] == nil)
        #expect(parsed.counts["svg"] == plain.counts["svg"])
        #expect(parsed.counts["tr"] == (plain.counts["tr"] ?? 0) + 1)
        #expect(!hostile.contains("<script>"))
        #expect(!hostile.contains("<img"))
        #expect(hostile.contains("&lt;script&gt;alert("))
        #expect(hostile.contains("&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;img src=x onerror=alert(1)&gt;"))
        // Attribute values escape quotes too.
        #expect(hostile.contains("title=\"param &quot;a&quot; &lt;changed&gt;\""))
        // The text survives escaping intact (the parser unescapes it).
        #expect(parsed.text.contains(Fixtures.hostileName))
        #expect(parsed.text.contains("onerror=alert(1)> | `rm` \u{FFFD}end"))
    }
}
