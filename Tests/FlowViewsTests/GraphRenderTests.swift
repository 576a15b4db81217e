import FlowCheck
import FlowIR
import FlowRuntime
import Foundation
import Testing
@testable import FlowViews

@Suite struct GraphRenderTests {
    /// `testdata/graph/NAME.flow.yaml` → `NAME.dot` and `NAME.mmd` (`FLOWC_UPDATE=1` rewrites them).
    @Test(arguments: [("dot", GraphLanguage.zh), ("mmd", .zh), ("en.dot", .en), ("en.mmd", .en)])
    func demoMatchesItsGolden(_ suffix: String, _ language: GraphLanguage) throws {
        let model = GraphModel.build(try GraphFixtures.machine(GraphFixtures.demoPath).machine, language: language)
        let text = suffix.hasSuffix("dot") ? GraphDOT.render(model) : GraphMermaid.render(model)
        let golden = GraphFixtures.root + "/testdata/graph/demo." + suffix
        if ProcessInfo.processInfo.environment["FLOWC_UPDATE"] == "1" {
            try text.write(toFile: golden, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOfFile: golden, encoding: .utf8)), "differs from \(golden)")
    }

    @Test func svgIsWellFormedWithOneBoxPerNodeNoOverlapsAndArrowsOnTheirBoxes() throws {
        let m = try GraphFixtures.machine(GraphFixtures.demoPath).machine
        let model = GraphModel.build(m)
        let svg = try GraphSVG.render(model)
        #expect(svg.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\""))
        let (parsed, error) = SVGReader.parse(svg)
        #expect(error == nil, "\(error ?? "")")
        graphCheckGeometry(parsed, model)
        // Every template node has its box, once; the added boxes too.
        #expect(parsed.boxes.map(\.key).sorted() == (m.nodes.map(\.id) + [":start", ":if:talks", ":lose"]).sorted())
        #expect(parsed.boxes.first { $0.key == "review" }?.classes.contains("approval") == true)
        #expect(parsed.boxes.first { $0.key == "contract_review" }?.classes.contains("fork") == true)
        #expect(parsed.boxes.first { $0.key == "loss_review" }?.classes.isSuperset(of: ["task", "lose-path"]) == true)
        #expect(parsed.boxes.first { $0.key == "audit" }?.classes.contains("tailored") == true)
        // Chinese names and conditions arrive intact, escaped in the XML.
        #expect(parsed.texts.contains("内审\"低价\"复核"))
        #expect(parsed.texts.contains("tier == 'gold'"))
        #expect(parsed.texts.contains("仅当 quote < cost"))
        #expect(svg.contains("内审&quot;低价&quot;复核"))
        #expect(svg.contains("\"Noto Sans CJK SC\""))
        // The plain picture's legend names the shapes and lines.
        for word in ["任务", "审批", "条件分支", "并行开始 / 汇合", "返工", "输单路径"] { #expect(parsed.texts.contains(word), "legend lacks \(word)") }
        // The rejection and the rework run on the side; the others go down.
        let back = parsed.arrows.filter { $0.classes.contains("back") }.map { "\($0.from)>\($0.to)" }.sorted()
        #expect(back == ["review>talks", "signing>talks"])
    }

    /// A fork with `when` runs only when its condition holds: SVG and DOT said nothing of it
    /// (QA: a manager read every deal as going through the review); Mermaid did.
    /// A long owner role is cut in a box's detail line, not the probability after it (QA round
    /// 18: `owner: Regional Vice President of Sales…` without its `70% win`).
    @Test func aLongOwnerRoleKeepsTheProbability() throws {
        let text = try String(contentsOfFile: GraphFixtures.root + "/" + GraphFixtures.demoPath, encoding: .utf8)
            .replacingOccurrences(of: "legal: {name: {zh: 法务, en: Legal}}", with: "legal: {name: {zh: 法务, en: Regional Vice President of Legal Affairs}}")
        #expect(text.contains("Regional Vice President of Legal Affairs"))
        var result = TemplateChecker.check(path: "/t/demo.flow.yaml", bytes: Array(text.utf8), fs: MemoryFileSystem([:]))
        #expect(!result.hasErrors)
        result.diagnostics = []
        let model = GraphModel.build(try IRLoader.verify(try IRCompiler.compile(result)).machine, language: .en)
        let details = try #require(model.nodes.first { $0.key == "legal_review" }?.details.first)
        #expect(details.hasPrefix("owner: Regional Vice") && details.hasSuffix("… · 70% win"), "\(details)")
        #expect(GraphText.columns(details) <= GraphModel.maxDetailColumns)
        // A short one is left whole.
        #expect(model.nodes.first { $0.key == "finance_review" }?.details.first?.hasPrefix("owner: Finance · ") == true)
    }

    @Test func aTailoredForkShowsItsConditionInEveryFormat() throws {
        let m = try GraphFixtures.machine("testdata/graph/tailored-fork.flow.yaml").machine
        let model = GraphModel.build(m)
        let svg = try GraphSVG.render(model)
        let (parsed, error) = SVGReader.parse(svg)
        #expect(error == nil, "\(error ?? "")")
        graphCheckGeometry(parsed, model)
        #expect(parsed.boxes.first { $0.key == "contract_review" }?.classes.isSuperset(of: ["fork", "tailored"]) == true)
        #expect(parsed.texts.contains("合同会审 · 仅当 vip"))
        #expect(GraphDOT.render(model).contains("\"contract_review\" [label=\"合同会审 · 仅当 vip\", shape=\"box\", style=\"filled,dashed\""))
        #expect(GraphMermaid.render(model).contains("合同会审<br/>仅当 vip"))
    }

    @Test(arguments: GraphFixtures.templates)
    func bundledTemplateRendersInEveryFormat(_ path: String) throws {
        let m = try GraphFixtures.machine(path).machine
        for language in GraphLanguage.allCases {
            let model = GraphModel.build(m, language: language)
            let dot = GraphDOT.render(model)
            #expect(dot.contains("digraph \"\(m.template.id)\" {"))
            #expect(dot.hasSuffix("}\n"))
            for node in m.nodes { #expect(dot.contains("\"\(node.id)\" ["), "\(node.id) missing in DOT") }
            let mermaid = GraphMermaid.render(model)
            #expect(mermaid.contains("\nflowchart TD\n"))
            let links = mermaid.split(separator: "\n").filter { line in
                line.hasPrefix("  n") && (line.contains(" --> ") || line.contains(" -->|") || line.contains(" -.->") || line.contains(" ==>"))
            }
            #expect(links.count == model.edges.count)
            let svg = try GraphSVG.render(model)
            let (parsed, error) = SVGReader.parse(svg)
            #expect(error == nil, "\(path): \(error ?? "")")
            graphCheckGeometry(parsed, model)
        }
    }

    /// A 54-node flow with forks side by side (QA round 39, H1): an approval's rejection back to
    /// a node of its own branch was drawn straight through the parallel branch's boxes, and read
    /// as a link between the two branches. Back arrows go round the boxes beside their ends.
    @Test func aLargeFlowsBackArrowsGoRoundTheOtherBoxes() throws {
        let m = try GraphFixtures.machine("testdata/graph/big.flow.yaml").machine
        let model = GraphModel.build(m)
        #expect(model.nodes.count > 50)
        let (parsed, error) = SVGReader.parse(try GraphSVG.render(model))
        #expect(error == nil)
        graphCheckGeometry(parsed, model)
        graphCheckBackArrowsApart(parsed)
        // The rejection that ran through the other branch turns round the boxes beside both its
        // ends: two more corners at each (a straight route names 8 points).
        let reject = try #require(parsed.arrows.first { $0.from == "b2_discount" && $0.to == "b1_pricing" })
        #expect(reject.points.count == 12, "\(reject.points)")
    }

    /// Flows with forks side by side, approvals sending back into them and an approval looping on
    /// itself (QA round 40, K1, K2): back arrows go round boxes, apart from each other, and a
    /// loop stays beside its box.
    @Test(arguments: ["testdata/graph/twofork.flow.yaml", "testdata/graph/wide.flow.yaml"])
    func backArrowsOfSideBySideForksStayApart(_ path: String) throws {
        let model = GraphModel.build(try GraphFixtures.machine(path).machine)
        let (parsed, error) = SVGReader.parse(try GraphSVG.render(model))
        #expect(error == nil)
        graphCheckGeometry(parsed, model)
        graphCheckBackArrowsApart(parsed)
        for loop in parsed.arrows where loop.from == loop.to {
            let box = try #require(parsed.boxes.first { $0.key == loop.from }?.rect)
            #expect(loop.points.count == 4 && loop.points.allSatisfy { $0.x > box.x - 40 }, "\(loop.from): \(loop.points)")
        }
    }

    /// The words of a decision's three or four arrows do not print over each other (QA round 39,
    /// H2: "ti否则 'strategic'", "amount >= 1000000 Coverseas").
    @Test func theWordsOfADecisionsArrowsDoNotPrintOverEachOther() throws {
        let model = GraphModel.build(try GraphFixtures.machine("testdata/graph/big.flow.yaml").machine)
        let layout = try GraphLayout.make(model)
        var rects: [(label: String, rect: GraphRect)] = []
        for (e, route) in layout.routes.enumerated() where route.forward {
            guard let label = model.edges[e].label else { continue }
            let w = Double(GraphText.columns(label)) * GraphSizing.detailColumn + 8
            let left = route.labelAnchor == "end" ? route.labelAt.x - w : route.labelAnchor == "start" ? route.labelAt.x : route.labelAt.x - w / 2
            rects.append((label, GraphRect(x: left, y: route.labelAt.y - 12, width: w, height: 16)))
        }
        #expect(rects.contains { $0.label == "overseas" } && rects.contains { $0.label == "tier == 'strategic'" })
        for (i, a) in rects.enumerated() {
            for b in rects[(i + 1)...] where a.rect.overlaps(b.rect) { Issue.record("`\(a.label)` and `\(b.label)` overlap") }
        }
    }

    @Test func renderingIsDeterministic() throws {
        let m = try GraphFixtures.machine("templates/standard-sale.flow.yaml").machine
        let a = GraphModel.build(m), b = GraphModel.build(m)
        #expect(try GraphSVG.render(a) == GraphSVG.render(b))
        #expect(GraphDOT.render(a) == GraphDOT.render(b))
        #expect(GraphMermaid.render(a) == GraphMermaid.render(b))
    }

    @Test func chineseNameGetsAWiderBoxThanAsciiOfTheSameLength() throws {
        let chinese = "标准销售流程的方案报价审核"
        let ascii = "abcdefghijklm"
        #expect(chinese.count == ascii.count)
        let model = graphTwoBoxModel(chinese, ascii)
        let layout = try GraphLayout.make(model)
        #expect(layout.boxes[0].width > layout.boxes[1].width + 40)
        #expect(!layout.boxes[0].overlaps(layout.boxes[1]))
    }

    @Test func longNamesAreCutWithTheWholeNameInTheTooltip() throws {
        var m = try GraphFixtures.machine(GraphFixtures.demoPath).machine
        let long = String(repeating: "很长的节点名称", count: 8)
        m.nodes[0].name["zh"] = long
        let node = try #require(GraphModel.build(m).nodes.first { $0.key == "talks" })
        #expect(node.label.hasSuffix("…"))
        #expect(GraphText.columns(node.label) <= GraphModel.maxLabelColumns)
        #expect(GraphText.columns(node.label) >= GraphModel.maxLabelColumns - 2)
        #expect(node.tooltip.first == long + " (talks)")
        #expect(GraphText.cut("短名", GraphModel.maxLabelColumns) == "短名")
    }

    @Test func aFlowBeyondTheLayoutLimitIsRefusedButDOTStillRenders() throws {
        let nodes = GraphLayout.maxElements / 2 + 1
        var model = graphTwoBoxModel("a", "b")
        model.nodes = (0..<nodes).map { i in
            GraphNode(key: "n\(i)", machineIndex: i, kind: .task, label: "节点\(i)", details: [], tooltip: [], losePath: false, tailored: false,
                      state: nil, recordCount: 0)
        }
        model.edges = (1..<nodes).map { GraphEdge(from: $0 - 1, to: $0, kind: .next, label: nil, condition: nil, tooltip: "", taken: false) }
        #expect(model.nodes.count + model.edges.count == GraphLayout.maxElements + 1)
        #expect(throws: GraphLayoutError(elements: GraphLayout.maxElements + 1, limit: GraphLayout.maxElements)) { try GraphSVG.render(model) }
        #expect(GraphDOT.render(model).contains("\"n\(nodes - 1)\""))
        // One element fewer is drawn.
        model.edges.removeLast()
        #expect(try GraphLayout.make(model).boxes.count == nodes)
    }

    @Test func textIsEscapedForEachFormat() {
        #expect(GraphSVG.escape("a<b & \"c\" 'd'\u{1}") == "a&lt;b &amp; &quot;c&quot; &apos;d&apos; ")
        #expect(GraphDOT.q("say \"hi\" \\ 你好\nnext") == "\"say \\\"hi\\\" \\\\ 你好\\nnext\"")
        #expect(GraphMermaid.label("a \"b\" <c> #1 | `x` 中") == "a #quot;b#quot; #lt;c#gt; #35;1 #124; #96;x#96; 中")
        #expect(GraphNumber.text(-0.04) == "0")
        #expect(GraphNumber.text(12.25) == "12.3" || GraphNumber.text(12.25) == "12.2")
        #expect(GraphNumber.text(-3) == "-3")
    }

    @Test func hostileNamesAndASelfLoopStillGiveWellFormedPictures() throws {
        var m = try GraphFixtures.machine(GraphFixtures.demoPath).machine
        m.nodes[0].name["zh"] = "]]><!-- \u{0}\u{7}<script>&amp;\"'\n下一行 %% end `x` |y|"
        m.template.name["zh"] = "</svg>\"}"
        let review = try #require(m.nodes.firstIndex { $0.id == "review" })
        guard case .outcomes(var outcomes) = m.nodes[review].transition, let reject = outcomes.firstIndex(where: { $0.name == "reject" }) else {
            Issue.record("the demo's review has a reject outcome")
            return
        }
        outcomes[reject].to = review
        m.nodes[review].transition = .outcomes(outcomes)
        let model = GraphModel.build(m)
        let svg = try GraphSVG.render(model)
        let (parsed, error) = SVGReader.parse(svg)
        #expect(error == nil, "\(error ?? "")")
        graphCheckGeometry(parsed, model)
        #expect(parsed.arrows.contains { $0.from == "review" && $0.to == "review" && $0.classes.contains("back") })
        // Control characters become spaces and the name is cut at 32 columns; each format escapes the rest.
        #expect(parsed.texts.contains("]]><!--   <script>&amp;\"' 下一…"))
        #expect(parsed.titles.contains { $0.hasPrefix("]]><!--   <script>&amp;\"'\n下一行 %% end `x` |y| (talks)") })
        let dot = GraphDOT.render(model)
        #expect(dot.contains("\"talks\" [label=\"]]><!--   <script>&amp;\\\"' 下一…\\n负责：销售负责人 · 赢率 10%\""))
        #expect(!dot.contains("\u{0}") && !dot.contains("\u{7}"))
        let mermaid = GraphMermaid.render(model)
        #expect(mermaid.contains("  n1[\"]]#gt;#lt;!--   #lt;script#gt;#amp;amp;#quot;' 下一…<br/>负责：销售负责人 · 赢率 10%\"]\n"))
        #expect(mermaid.hasPrefix("---\ntitle: \"</svg>\\\"} · graph_demo 1.0.0\"\n---\n"))
    }

    /// Random flows (cycles, self loops, long jumps, several roots, reworks): the layout keeps
    /// its promises on every one.
    @Test(arguments: 0..<40)
    func randomFlowsKeepTheLayoutInvariants(_ seed: Int) throws {
        var state = UInt64(seed) &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let kinds: [GraphNode.Kind] = [.task, .task, .task, .approval, .fork, .join, .decision, .won, .lost, .loseEntry]
        let words = ["方案", "Review", "合同会审", "x", "法务与财务并行审核", "Order payment collection"]
        let count = 2 + next(40)
        var model = graphTwoBoxModel("a", "b")
        model.nodes = (0..<count).map { i in
            let kind: GraphNode.Kind = i == 0 ? .start : kinds[next(kinds.count)]
            let details = (0..<next(3)).map { _ in words[next(words.count)] }
            return GraphNode(key: "k\(i)", machineIndex: i, kind: kind, label: words[next(words.count)], details: details, tooltip: [],
                             losePath: false, tailored: next(4) == 0, state: nil, recordCount: 0)
        }
        model.edges = []
        for i in 0..<count {
            for _ in 0..<next(4) {
                let kind: GraphEdge.Kind = next(5) == 0 ? .rework : .next
                let label: String? = next(3) == 0 ? words[next(words.count)] : nil
                model.edges.append(GraphEdge(from: i, to: next(count), kind: kind, label: label, condition: nil, tooltip: "", taken: false))
            }
        }
        let svg = try GraphSVG.render(model)
        let (parsed, error) = SVGReader.parse(svg)
        #expect(error == nil)
        graphCheckGeometry(parsed, model)
        #expect(try GraphSVG.render(model) == svg)
    }

    @Test func englishPicksEnglishNamesAndFallsBack() throws {
        let m = try GraphFixtures.machine(GraphFixtures.demoPath).machine
        let en = GraphModel.build(m, language: .en)
        #expect(en.title == "Graph demo")
        #expect(en.nodes.first { $0.key == "talks" }?.label == "Initial talks")
        #expect(GraphLanguage.en.pick(["": "纯名"], fallback: "id") == "纯名")
        #expect(GraphLanguage.en.pick(["zh": "中文"], fallback: "id") == "中文")
        #expect(GraphLanguage.zh.pick([:], fallback: "id") == "id")
    }
}

/// A model of two unconnected task boxes (for sizes and limits).
func graphTwoBoxModel(_ a: String, _ b: String) -> GraphModel {
    func box(_ i: Int, _ label: String) -> GraphNode {
        GraphNode(key: "b\(i)", machineIndex: i, kind: .task, label: label, details: [], tooltip: [label], losePath: false, tailored: false,
                  state: nil, recordCount: 0)
    }
    return GraphModel(templateID: "t", version: "1", hash: "sha256:0", title: "t", language: .zh, nodes: [box(0, a), box(1, b)], edges: [],
                      deal: nil)
}

/// Boxes do not overlap; every model node has one box; forward arrows leave the bottom of their
/// source and end on the top of their target; back arrows start and end on their boxes' outline.
/// The horizontal pieces of the back arrows' turns, each `(arrow, y, x0, x1)`: no two arrows lie on
/// each other along one for more than a few points (QA round 40, K2).
func graphCheckBackArrowsApart(_ parsed: ParsedSVG, sourceLocation: SourceLocation = #_sourceLocation) {
    var pieces: [(arrow: String, y: Double, x0: Double, x1: Double)] = []
    for arrow in parsed.arrows where arrow.classes.contains("back") {
        for (p, q) in zip(arrow.points, arrow.points.dropFirst()) where abs(p.y - q.y) < 0.05 && abs(p.x - q.x) > 0.05 {
            pieces.append((arrow.from + ">" + arrow.to, p.y, min(p.x, q.x), max(p.x, q.x)))
        }
    }
    for (i, a) in pieces.enumerated() {
        for b in pieces[(i + 1)...] where a.arrow != b.arrow && abs(a.y - b.y) < 1 {
            let shared = min(a.x1, b.x1) - max(a.x0, b.x0)
            #expect(shared < 20, "\(a.arrow) and \(b.arrow) lie on each other over \(shared) at y \(a.y)", sourceLocation: sourceLocation)
        }
    }
}

func graphCheckGeometry(_ parsed: ParsedSVG, _ model: GraphModel, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(parsed.boxes.count == model.nodes.count, sourceLocation: sourceLocation)
    #expect(Set(parsed.boxes.map(\.key)).count == parsed.boxes.count, "duplicate boxes", sourceLocation: sourceLocation)
    for (i, a) in parsed.boxes.enumerated() {
        #expect(a.rect.width > 0 && a.rect.height > 0, "\(a.key) has no extent", sourceLocation: sourceLocation)
        for b in parsed.boxes[(i + 1)...] where a.rect.overlaps(b.rect) {
            Issue.record("boxes `\(a.key)` \(a.rect) and `\(b.key)` \(b.rect) overlap", sourceLocation: sourceLocation)
        }
    }
    let byKey = Dictionary(parsed.boxes.map { ($0.key, $0.rect) }, uniquingKeysWith: { a, _ in a })
    #expect(parsed.arrows.count == model.edges.count, sourceLocation: sourceLocation)
    let tolerance = 0.11
    for arrow in parsed.arrows {
        guard let s = byKey[arrow.from], let t = byKey[arrow.to] else {
            Issue.record("arrow \(arrow.from) → \(arrow.to) names a missing box", sourceLocation: sourceLocation)
            continue
        }
        if arrow.classes.contains("forward") {
            let onSource = abs(arrow.start.y - s.maxY) <= tolerance && arrow.start.x >= s.x - tolerance && arrow.start.x <= s.maxX + tolerance
            let onTarget = abs(arrow.end.y - t.y) <= tolerance && arrow.end.x >= t.x - tolerance && arrow.end.x <= t.maxX + tolerance
            #expect(onSource, "\(arrow.from) → \(arrow.to) starts at \(arrow.start), not on the bottom of \(s)", sourceLocation: sourceLocation)
            #expect(onTarget, "\(arrow.from) → \(arrow.to) ends at \(arrow.end), not on the top of \(t)", sourceLocation: sourceLocation)
        } else {
            #expect(arrow.classes.contains("back"), sourceLocation: sourceLocation)
            let inside = { (p: GraphPoint, r: GraphRect) in
                p.x >= r.x - tolerance && p.x <= r.maxX + tolerance && p.y >= r.y - tolerance && p.y <= r.maxY + tolerance
            }
            #expect(inside(arrow.start, s) && inside(arrow.end, t), "\(arrow.from) → \(arrow.to) is off its boxes", sourceLocation: sourceLocation)
            // Its straight runs go round the other boxes, never through one (QA round 39, H1).
            for (p, q) in zip(arrow.points, arrow.points.dropFirst()) where abs(p.x - q.x) < 0.05 || abs(p.y - q.y) < 0.05 {
                for box in parsed.boxes where box.key != arrow.from && box.key != arrow.to {
                    let r = box.rect
                    let crosses = min(p.x, q.x) < r.maxX - 1 && max(p.x, q.x) > r.x + 1 && min(p.y, q.y) < r.maxY - 1 && max(p.y, q.y) > r.y + 1
                    #expect(!crosses, "\(arrow.from) → \(arrow.to) runs through `\(box.key)` (\(p) to \(q))", sourceLocation: sourceLocation)
                }
            }
        }
    }
}
