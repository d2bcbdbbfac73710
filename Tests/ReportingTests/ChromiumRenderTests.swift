import Foundation
import Reporting
import Testing
import TestSupport

/// The report as a browser sees it: headless Chromium (Debian's `chromium`) loads the page from
/// disk, screenshots it and dumps the DOM; the page must draw its SVG plots and tables and log
/// nothing to the console. Runs whenever Chromium is installed, and always under CI=true, where
/// a missing Chromium fails the test (scripts/setup.sh installs it).
@Suite(.serialized, .enabled(if: HeadlessChromium.shouldRun)) struct ChromiumRenderTests {
    let scratch = TemporaryProject()

    func write(_ html: String, _ name: String) throws -> URL {
        let url = scratch.root.appendingPathComponent(name)
        try Data(html.utf8).write(to: url)
        return url
    }

    @Test func consoleCaptureSeesAnErrorOnAProbePage() throws {
        // Without this, "no console messages" could just mean the capture is broken.
        let probe = try write("<!DOCTYPE html><html><body><p>probe</p><script>console.error('lathe-probe-42')</script></body></html>", "probe.html")
        let rendering = try HeadlessChromium.render(probe, width: 400, height: 300)
        #expect(rendering.console.contains { $0.contains("lathe-probe-42") }, "console lines: \(rendering.console)")
    }

    @Test(arguments: ["fixture", "hostile"])
    func reportRendersItsPlotsAndTablesWithoutConsoleMessages(variant: String) throws {
        let data = variant == "fixture" ? Fixtures.report : Fixtures.hostileReport
        let page = try write(HTMLReport.render(data), "\(variant).html")
        let rendering = try HeadlessChromium.render(page, width: 1200, height: 2000)
        #expect(rendering.console.isEmpty, "console: \(rendering.console)")
        let size = try #require(HeadlessChromium.pngSize(rendering.screenshot), "the screenshot is not a PNG")
        #expect(size.width == 1200 && size.height == 2000)
        // A blank white page compresses to a few KB; charts, text and tables do not.
        #expect(rendering.screenshot.count > 40_000, "screenshot only \(rendering.screenshot.count) bytes")
        let dom = rendering.dom
        #expect(dom.components(separatedBy: "<svg").count - 1 == 8, "1 graph + 2 loss charts + 5 bar charts")
        #expect(dom.components(separatedBy: "<polyline").count - 1 == 4)
        // Summary, two metric tables, and one outputs table per distinct sample prompt.
        #expect(dom.components(separatedBy: "<table").count - 1 == (variant == "fixture" ? 4 : 5))
        #expect(dom.contains("What each stage cost"))
        #expect(!dom.contains("<script"), "no script element, not even from hostile text")
        #expect(!dom.contains("<img"))
    }
}
