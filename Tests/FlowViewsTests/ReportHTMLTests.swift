import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import FlowViews

/// Elements of a page read with an XML parser: the page is written as well-formed XML, so a
/// strict parser is a simple, exact structural check.
private final class PageOutline: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String]; var parent: String? }
    var elements: [Element] = []
    var stack: [String] = []
    var textByElement: [String: String] = [:]
    var error: (any Error)?

    static func parse(_ html: String) -> PageOutline {
        let outline = PageOutline()
        let parser = XMLParser(data: Data(html.utf8))
        parser.delegate = outline
        if !parser.parse() { outline.error = parser.parserError ?? CocoaError(.coderReadCorrupt) }
        return outline
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String]) {
        elements.append(Element(name: name, attributes: attributes, parent: stack.last))
        stack.append(name)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        stack.removeLast()
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if let top = stack.last { textByElement[top, default: ""] += string }
    }

    func all(_ name: String) -> [Element] { elements.filter { $0.name == name } }
    func withClass(_ name: String, _ cls: String) -> [Element] {
        all(name).filter { ($0.attributes["class"] ?? "").split(separator: " ").contains(Substring(cls)) }
    }
}

@Suite struct ReportHTMLTests {
    let html = ReportHTML.render(ReportFixtures.full)

    @Test func pageIsWellFormedWithEveryChartAndSection() throws {
        let page = PageOutline.parse(html)
        #expect(page.error == nil, "\(String(describing: page.error))")
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"zh-CN\">"))
        #expect(page.all("meta").contains { $0.attributes["charset"] == "utf-8" })
        #expect(page.textByElement["title"]?.contains("经营报表") == true)
        let charts = page.all("svg")
        #expect(charts.map { $0.attributes["id"] ?? "" } == ["chart-funnel", "chart-forecast", "chart-pool-age"])
        for chart in charts {
            #expect(chart.attributes["role"] == "img")
            #expect(chart.attributes["aria-label"]?.isEmpty == false)
            #expect(chart.attributes["viewBox"]?.hasPrefix("0 0 1000 ") == true)
        }
        // Each chart carries its own title element as its first child.
        #expect(page.all("title").filter { $0.parent == "svg" }.count >= 3)
        let sections = page.all("section").compactMap { $0.attributes["id"] }
        #expect(sections == ["overview", "funnel", "forecast", "attention", "public-pool", "returning", "records"])
        // One heading per section, the totals' too, not drawn (QA round 32, D10: 6 for 7).
        #expect(page.all("h2").count == sections.count)
        #expect(page.all("h2").first?.attributes["class"] == "visually-hidden")
        #expect(page.all("th").filter { $0.attributes["scope"] == "col" }.count >= 30)
        // The funnel's and the pool age's numbers are in their charts; their tables are folded
        // away under <details>.
        #expect(page.all("table").filter { $0.parent == "details" }.count == 2)
    }

    @Test func chartsDrawOneBarPerValue() {
        let page = PageOutline.parse(html)
        // Funnel: one deals bar and one amount bar per node.
        #expect(page.withClass("rect", "bar-deals").count == 4)
        #expect(page.withClass("rect", "bar-amount").count == 4)
        // Forecast: amount and weighted per month (plus one legend swatch each).
        #expect(page.withClass("rect", "bar-forecast").count == 1 + 3)
        #expect(page.withClass("rect", "bar-weighted").count == 1 + 3)
        // Pool age: four deals in four (bucket, arrival) cells; legends are rects too but without tooltips.
        let stacked = ["arr-lost", "arr-idle", "arr-released", "arr-created"].map { page.withClass("rect", $0).count }
        #expect(stacked == [2, 2, 2, 2])   // one legend swatch + one bar each
        #expect(ReportModel.PoolAgeBucket.index(ofAge: 0) == 0 && ReportModel.PoolAgeBucket.index(ofAge: 6) == 0 && ReportModel.PoolAgeBucket.index(ofAge: 7) == 1)
        #expect(ReportModel.PoolAgeBucket.index(ofAge: 179) == 3 && ReportModel.PoolAgeBucket.index(ofAge: 180) == 4 && ReportModel.PoolAgeBucket.index(ofAge: -3) == 0)
    }

    @Test func funnelBarsAreProportional() throws {
        let page = PageOutline.parse(html)
        let widths = try page.withClass("rect", "bar-deals").map { try #require(Double($0.attributes["width"] ?? "")) }
        // Deals 3, 2, 1, 1.
        #expect(abs(widths[1] / widths[0] - 2.0 / 3.0) < 0.01)
        #expect(abs(widths[2] / widths[0] - 1.0 / 3.0) < 0.01)
        #expect(widths[2] == widths[3])
        let amounts = try page.withClass("rect", "bar-amount").map { try #require(Double($0.attributes["width"] ?? "")) }
        #expect(amounts[0] == 0)   // a zero amount draws no bar
        #expect(amounts[1] > amounts[3] && amounts[3] > amounts[2])
    }

    /// The longest amount bar leaves room for its label: `3,957,685,183.50 CNY` ran off the chart.
    @Test func theWidestAmountLabelFitsBesideTheLongestBar() throws {
        let rows = [
            ReportModel.FunnelRow(templateID: "t", node: "a", nameZh: "方案评审", nameEn: "Solution review", deals: 40,
                                  amount: 3_957_685_183.5, currency: "CNY", probability: 30),
            ReportModel.FunnelRow(templateID: "t", node: "b", nameZh: "需求谈判", nameEn: "Needs", deals: 10,
                                  amount: 186_685_183_541.25, currency: "CNY", probability: 20),
        ]
        let svg = ReportSVGFunnel.render(rows, manyTemplates: false, currency: "CNY")
        for row in rows {
            let label = ReportTextFormat.amount(row.amount, row.currency)
            let pattern = #"<text x="([0-9.]+)"[^>]*>"# + NSRegularExpression.escapedPattern(for: label) + "</text>"
            let match = try #require(svg.range(of: pattern, options: .regularExpression), "\(label) not drawn")
            let x = try #require(Double(svg[match].split(separator: "\"")[1]))
            #expect(x + ReportSVG.textWidth(label, size: 12) * 1.1 <= ReportSVG.width, "\(label) at \(x)")
        }
    }

    @Test func userTextIsEscapedInTextAndAttributes() {
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;"))
        #expect(html.contains("A &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;"))
        #expect(html.contains("Acme &amp; Co"))
        // In an attribute (a bar's tooltip is a child element; the node id is a title attribute).
        #expect(html.contains(#"title="x_node""#))
        // The escape character of a note becomes U+FFFD, which XML allows.
        #expect(!html.contains("\u{1B}"))
        #expect(html.contains("\u{FFFD}[31mred"))
        // A bidirectional override is shown by its code, as the terminal shows it: written raw,
        // a customer's name read reversed on the page (QA round 39, H10).
        #expect(ReportHTMLEscape.text("\u{202E}evil\u{202C} 科技 \u{2067}x") == #"\u{202E}evil\u{202C} 科技 \u{2067}x"#)
        #expect(GraphSVG.escape("a\u{202E}b") == #"a\u{202E}b"#)
    }

    /// The pool-age chart is followed by a table of its numbers, as the other charts (QA round 39,
    /// H11: its counts were only in the bars' tooltips): a row per age, a column per way in, and
    /// the totals of the whole pool.
    @Test func thePoolAgeChartHasATableOfItsNumbers() throws {
        let start = try #require(html.range(of: #"id="chart-pool-age""#))
        let rest = html[start.upperBound...]
        let table = try #require(rest.range(of: "</details>")).lowerBound
        let data = String(rest[..<table])
        #expect(data.contains("Days in the pool"))
        let ages = ReportFixtures.full.publicPoolAges
        #expect(data.components(separatedBy: "<tr><td>").count - 1 == ages.count)
        for bucket in ages {
            let cells = ReportSVGPoolAge.arrivals.map { #"<td class="num">\#(bucket[$0])</td>"# }.joined() + #"<td class="num">\#(bucket.total)</td></tr>"#
            #expect(data.contains(cells), "\(bucket)")
        }
    }

    /// A returning deal with several open nodes lists each on its own line, without a "、" that
    /// began the second line under the first node's English name (QA round 39, H16).
    @Test func aReturningDealsOpenNodesAreOneALine() {
        var model = ReportFixtures.full
        model.returning = [.init(dealID: "D-1005", owner: "wang.wu", nodes: "legal_review,finance_review", returnsAt: 1_720_159_200, daysLeft: 4,
                                 nodeNames: [.init(id: "legal_review", zh: "法务审核", en: "Legal review"),
                                             .init(id: "finance_review", zh: "财务审核", en: "Finance review")])]
        let page = ReportHTML.render(model)
        #expect(page.contains(#"<td><div><span title="legal_review">法务审核</span><span class="en" lang="en">Legal review</span></div>"#
            + #"<div><span title="finance_review">财务审核</span><span class="en" lang="en">Finance review</span></div></td>"#), "\(page)")
        // A return already due says so, not "0 days left" (QA round 39, H17).
        model.returning.append(.init(dealID: "D-1006", owner: "amy", nodes: "initial_talks", returnsAt: 1_711_843_200, daysLeft: 0))
        #expect(ReportHTML.render(model).contains(#"<td class="num soon">已到期<span class="en" lang="en">due now</span></td>"#))
        #expect(ReportText.render(model, color: false, language: .en).contains("due now"))
    }

    @Test func onlySafeRecordLinksBecomeLinks() {
        #expect(html.contains(#"<a href="https://docs.example.com/q?id=1&amp;v=2" rel="noopener noreferrer" target="_blank">报价单 v2</a>"#))
        #expect(!html.contains(#"href="javascript"#))
        #expect(html.contains("<code>javascript:alert(1)</code>"))
        #expect(ReportHTMLEscape.linkTarget("HTTPS://x.example/a") == "HTTPS://x.example/a")
        #expect(ReportHTMLEscape.linkTarget("mailto:a@example.com") == "mailto:a@example.com")
        #expect(ReportHTMLEscape.linkTarget(" javascript:alert(1)") == nil)
        #expect(ReportHTMLEscape.linkTarget("data:text/html,x") == nil)
        #expect(ReportHTMLEscape.linkTarget("https://x.example/a b") == nil)
        #expect(ReportHTMLEscape.linkTarget(nil) == nil)
    }

    @Test func nothingIsLoadedFromElsewhere() {
        let link = #"href="https://docs.example.com/q?id=1&amp;v=2""#
        let rest = html.replacingOccurrences(of: link, with: "")
        #expect(!rest.lowercased().contains("http"))
        for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "url(", "@import", "@font-face", "xlink:href"] {
            #expect(!rest.contains(forbidden), "\(forbidden)")
        }
    }

    @Test func numbersDatesAndLabelsMatchTheTerminalReport() {
        for s in ["2,340,000.50", "1,234,567.89", "1,590,000.00", "402,000.05", "75,000.05", "2024-07-01 09:00 (UTC+08:00)",
                  "2024-06-20 10:30", "2024-03-01", "2024-07-03 09:00"] {
            #expect(html.contains(s), "\(s)")
        }
        #expect(html.contains(#"初步洽谈</span><span class="en" lang="en">Initial talks</span>"#))
        #expect(html.contains(#"<span class="tag lost">输单<span class="en" lang="en">lost</span></span>"#))
        #expect(html.contains(#"<td class="num soon">1</td>"#))
        #expect(html.contains("weighted = Σ amount × probability / 100"))
    }

    @Test func severalTemplatesAddATemplateColumn() {
        var model = ReportFixtures.full
        model.templates.append(.init(id: "renewal", version: "1.0.0", nameZh: "续约", nameEn: nil))
        let page = ReportHTML.render(model)
        #expect(page.contains(#"<th scope="col">模板<span class="en" lang="en">Template</span></th>"#))
        #expect(page.contains("<td><code>standard_sale</code></td>"))
        #expect(!html.contains(#"<th scope="col">模板"#))
    }

    @Test func emptyModelSaysSoInEverySection() {
        let page = ReportHTML.render(ReportFixtures.empty)
        #expect(PageOutline.parse(page).error == nil)
        #expect(!page.contains("<svg"))
        #expect(!page.contains("<table"))
        for message in ["no open deals", "no open deals to forecast", "no blocked or overdue nodes", "no deals in the public pool",
                        "no deals return to the public pool within 14 days", "no node records"] {
            #expect(page.contains(#"\#(message)</span></p>"#), "\(message)")
        }
    }

    @Test func chartsStayFiniteWithOddValues() {
        var model = ReportFixtures.full
        model.funnel[0].amount = .nan
        model.forecast[0].weighted = -.infinity
        model.forecast = model.forecast.map { var r = $0; r.amount = 0; r.weighted = 0; return r }
        model.publicPool[0].ageDays = -5
        let page = ReportHTML.render(model)
        #expect(PageOutline.parse(page).error == nil)
        let numbers = page.matches(of: /\s(?:x|y|x1|y1|x2|y2|width|height)="([^"]*)"/).map { String($0.1) }
        #expect(!numbers.isEmpty)
        #expect(numbers.allSatisfy { Double($0)?.isFinite == true }, "\(numbers.filter { Double($0)?.isFinite != true })")
        #expect(page.contains("—"))   // the NaN amount
    }
}
