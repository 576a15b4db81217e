import FlowCLI
import FlowDiagnostics
import Foundation
import Testing

@Suite struct GraphCommandTests {
    static let demo = repoRoot + "/testdata/graph/demo.flow.yaml"

    @Test func drawsDOTOnStandardOutputByDefault() {
        let r = flowc("graph", Examples.template)
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasPrefix("// flowc graph: standard_sale 1.0.0 sha256:"))
        #expect(r.out.contains("digraph \"standard_sale\" {"))
        #expect(r.out.contains("\"initial_talks\" [label=\"初步洽谈\\n"))
        #expect(r.err.isEmpty)
    }

    @Test func formatFollowsTheOutputExtensionUnlessGiven() throws {
        let dir = try tempDir([:])
        let svg = flowc("graph", Self.demo, "-o", dir + "/flow.svg")
        #expect(svg.code == 0, "\(svg.err)")
        #expect(svg.err == "wrote the svg of `graph_demo` 1.0.0 (11 nodes) to \(dir)/flow.svg\n")
        let text = try String(contentsOfFile: dir + "/flow.svg", encoding: .utf8)
        #expect(text.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg "))
        #expect(text.contains("初步洽谈"))

        #expect(flowc("graph", Self.demo, "-o", dir + "/flow.mmd").code == 0)
        #expect(try String(contentsOfFile: dir + "/flow.mmd", encoding: .utf8).contains("\nflowchart TD\n"))
        #expect(flowc("graph", Self.demo, "-o", dir + "/flow.gv").code == 0)
        #expect(try String(contentsOfFile: dir + "/flow.gv", encoding: .utf8).contains("digraph \"graph_demo\""))

        let explicit = flowc("graph", Self.demo, "--format", "mermaid", "--lang", "en")
        #expect(explicit.code == 0)
        #expect(explicit.out.contains("n1[\"Initial talks<br/>owner: Sales owner · 10% win\"]"))
        let svgOut = flowc("graph", Self.demo, "--format", "svg")
        #expect(svgOut.out.hasPrefix("<?xml"))
    }

    /// An active node past its due time that no sweep has blocked yet is drawn overdue, as the
    /// report lists it (QA round 9: the report said overdue, the picture active), against
    /// `--now` (else the clock); before its due time it is plain active.
    @Test func anOverdueNodeIsDrawnAsTheReportSaysIt() throws {
        let db = try Examples.loaded()
        let before = flowc("graph", Examples.template, "--deal", "D-1006", "--db", db, "--now", "2024-05-20T00:00:00Z", "--format", "svg")
        #expect(before.code == 0, "\(before.err)")
        #expect(before.out.contains("class=\"node task active\" data-node=\"initial_talks\""))
        #expect(!before.out.contains("逾期（待标记阻塞）"))
        let after = flowc("graph", Examples.template, "--deal", "D-1006", "--db", db, "--now", "2024-07-20T00:00:00Z", "--format", "svg")
        #expect(after.out.contains("class=\"node task active overdue\" data-node=\"initial_talks\""), "\(after.out)")
        #expect(after.out.contains("逾期（待标记阻塞）"))
        // Said in words in the box, not by colour alone (QA round 39, H7): the days begun since
        // its due date.
        let show = flowc("deal", "show", "D-1006", "--db", db, "--json")
        let deal = try #require(try JSONSerialization.jsonObject(with: Data(show.out.utf8)) as? [String: Any])
        let talks = try #require((deal["nodes"] as? [String: [String: Any]])?["initial_talks"], "\(show.out)")
        let due = try #require(talks["dueAt"] as? Int, "\(talks)")
        let days = (1_721_433_600 - due + 86_399) / 86_400
        let start = try #require(after.out.range(of: #"data-node="initial_talks""#))
        let end = try #require(after.out.range(of: "</g>", range: start.upperBound..<after.out.endIndex))
        let box = String(after.out[start.upperBound..<end.lowerBound])
        #expect(box.contains(#"<text class="detail state" "#) && box.contains(">■ 逾期 \(days) 天</text>"), "\(box)")
        #expect(!before.out.contains("detail state"))
        let dot = flowc("graph", Examples.template, "--deal", "D-1006", "--db", db, "--now", "2024-07-20T00:00:00Z", "--format", "dot")
        #expect(dot.out.contains("class=\"active overdue\""), "\(dot.out)")
        #expect(dot.out.contains("\\n■ 逾期 \(days) 天\""), "\(dot.out)")
        let mermaid = flowc("graph", Examples.template, "--deal", "D-1006", "--db", db, "--now", "2024-07-20T00:00:00Z", "--format", "mermaid")
        #expect(mermaid.out.contains("state_overdue"))
        // Blocked by a sweep: said so, with the same days.
        #expect(flowc("tick", "--db", db, "--at", "2024-07-20T00:00:00Z", "--now", "2024-07-20T00:00:00Z").code == 0)
        let blocked = flowc("graph", Examples.template, "--deal", "D-1006", "--db", db, "--now", "2024-07-20T00:00:00Z", "--format", "mermaid")
        #expect(blocked.out.contains("■ 阻塞 · 逾期 \(days) 天"), "\(blocked.out)")
        #expect(flowc("graph", Examples.template, "--now", "2024-07-20T00:00:00Z").code == 2)
        #expect(flowc("graph", Examples.template, "--deal", "D-1006", "--db", db, "--now", "tomorrow").code == 2)
    }

    @Test func usageErrorsExitTwo() throws {
        let bad = flowc("graph", Self.demo, "--format", "png")
        #expect(bad.code == 2)
        #expect(bad.err.contains("png"))
        let lang = flowc("graph", Self.demo, "--lang", "fr")
        #expect(lang.code == 2)
        let dbAlone = flowc("graph", Self.demo, "--db", "/tmp/x.sqlite")
        #expect(dbAlone.code == 2)
        #expect(dbAlone.err.contains("--db goes with --deal"))
        let missing = flowc("graph", repoRoot + "/testdata/graph/no-such.flow.yaml")
        #expect(missing.code == 2)
        #expect(missing.err.contains("FC0001"))
        let unwritable = flowc("graph", Self.demo, "-o", "/nonexistent-dir/flow.svg")
        #expect(unwritable.code == 2)
        #expect(unwritable.err.hasPrefix("/nonexistent-dir/flow.svg: error[FC0008]: cannot write `/nonexistent-dir/flow.svg`"), "\(unwritable.err)")
    }

    @Test func templateWithErrorsPrintsItsDiagnosticsAndExitsOne() {
        let r = flowc("graph", repoRoot + "/testdata/check/err/unknown-node-typo.flow.yaml")
        #expect(r.code == 1)
        #expect(r.err.contains("error[FC0302]"))
        #expect(r.out.isEmpty)
    }

    @Test func missingDealAndMissingStoreAreCodedErrors() throws {
        let db = try Examples.db()
        let noStore = flowc("graph", Self.demo, "--deal", "D-1", "--db", db)
        #expect(noStore.code == 2)
        #expect(noStore.err == "\(db): error[FC1215]: there is no deal store at `\(db)`\n")
        #expect(!FileManager.default.fileExists(atPath: db), "the graph command must not create a store")

        let created = flowc("deal", "create", Self.demo, "--id", "G-1", "--owner", "amy", "--set", "customer_name=星辰科技", "--db", db)
        #expect(created.code == 0, "\(created.err)")
        let unknown = flowc("graph", Self.demo, "--deal", "G-9", "--db", db)
        #expect(unknown.code == 1)
        #expect(unknown.err.hasPrefix("error[FC1203]"))
        #expect(unknown.err.contains("G-9"))
        // `--lock-timeout`, as every command that reads the store takes it (review of the CLI, C6:
        // a wrapper passing one set of store options broke on graph).
        #expect(flowc("graph", Self.demo, "--deal", "G-1", "--db", db, "--lock-timeout", "5").code == 0)
        let alone = flowc("graph", Self.demo, "--lock-timeout", "5")
        #expect(alone.code == 2 && alone.err.contains("--lock-timeout goes with --deal"), "\(alone.err)")
        #expect(flowc("graph", Self.demo, "--deal", "G-1", "--db", db, "--lock-timeout", "-1").err.contains("--lock-timeout: seconds, from 0"))
        // A directory named as the store is said as every command says it (QA round 30, N16:
        // SQLite's "unable to open database file").
        let directory = PathText.directory(of: db)
        let dirStore = flowc("graph", Self.demo, "--deal", "G-1", "--db", directory)
        #expect(dirStore.code == 2 && dirStore.err.hasPrefix("\(directory): error[FC1212]: the store failed: `\(directory)` is a directory, not a store file"), "\(dirStore.err)")
    }

    @Test func dealOverlayAndADealOnAnotherVersionOfTheTemplate() throws {
        let db = try Examples.db()
        #expect(flowc("deal", "create", Self.demo, "--id", "G-1", "--owner", "amy", "--set", "customer_name=星辰科技", "--db", db).code == 0)
        let same = flowc("graph", Self.demo, "--deal", "G-1", "--db", db, "--format", "svg")
        #expect(same.code == 0, "\(same.err)")
        #expect(same.err.isEmpty)
        #expect(same.out.contains("data-node=\"talks\" data-state=\"active\""))
        #expect(same.out.contains("商机 G-1 · 进行中 · 私海 · 负责人 amy"))

        // The template changes after the deal started: the deal's own machine is drawn.
        let changed = try String(contentsOfFile: Self.demo, encoding: .utf8).replacingOccurrences(of: "zh: 初步洽谈", with: "zh: 首次洽谈")
        let dir = try tempDir(["demo.flow.yaml": changed])
        let other = flowc("graph", dir + "/demo.flow.yaml", "--deal", "G-1", "--db", db, "--format", "mermaid")
        #expect(other.code == 0, "\(other.err)")
        #expect(other.err.hasPrefix("note: deal `G-1` runs on `graph_demo` 1.0.0 (sha256:"))
        #expect(other.err.contains("drawing the deal's own machine"))
        #expect(other.out.contains("初步洽谈"))
        #expect(!other.out.contains("首次洽谈"))
    }

    @Test func aCompiledIRIsDrawnLikeItsTemplate() throws {
        let dir = try tempDir([:])
        #expect(flowc("compile", Self.demo, "-o", dir + "/demo.ir.json").code == 0)
        let fromIR = flowc("graph", dir + "/demo.ir.json", "--format", "mermaid")
        #expect(fromIR.code == 0, "\(fromIR.err)")
        #expect(fromIR.out == flowc("graph", Self.demo, "--format", "mermaid").out)
    }

    @Test func aFlowTooLargeForTheSVGLayoutIsRefusedWithItsCode() throws {
        var yaml = """
            flowc: 1
            template: {id: huge, version: 1.0.0, name: 巨大流程}
            fields:
              customer_name: {type: text, required: true}
            customer: {identity: [customer_name], normalize: [trim]}
            roles:
              o: {name: 负责人, owner: true}
            pool:
              claim: {quota: 5, cooldown: 7d}
            nodes:

            """
        let count = 760
        for i in 0..<count { yaml += "  - {id: t\(i), name: 任务\(i), owner: o, next: \(i + 1 < count ? "t\(i + 1)" : "won")}\n" }
        yaml += "  - {id: won, name: 赢单, kind: won}\n"
        let dir = try tempDir(["huge.flow.yaml": yaml])
        // `--quiet`: the template has no `lose` (FC0705, a warning graph prints); the refusal is
        // the only line wanted here.
        let svg = flowc("graph", dir + "/huge.flow.yaml", "--format", "svg", "--quiet")
        #expect(svg.code == 1)
        #expect(svg.err == "error[FC1401]: the flow has 1523 boxes and arrows to draw; the SVG layout draws at most 1500: use `--format dot` or `--format mermaid`\n")
        #expect(svg.out.isEmpty)
        let dot = flowc("graph", dir + "/huge.flow.yaml")
        #expect(dot.code == 0)
        #expect(dot.out.contains("\"t759\" -> \"won\""))
    }

    @Test func helpDocumentsFormatsAndExitCodes() {
        let r = flowc("graph", "--help")
        #expect(r.code == 0)
        #expect(r.out.contains("--format <format>"))
        #expect(r.out.contains("dot, mermaid or svg"))
        #expect(r.out.contains("no Graphviz needed"))
        #expect(r.out.contains("Exit codes: 0 drawn"))
        let explain = flowc("explain", "FC1401")
        #expect(explain.code == 0)
        #expect(explain.out.hasPrefix("FC1401: graph-too-large"))
    }
}
