import FlowCheck
import FlowHost
import FlowIR
import FlowRuntime
import Foundation
import Testing
@testable import FlowViews

@Suite struct GraphOverlayTests {
    /// A `graph_demo` deal on a temporary SQLite store: gold tier, so the branch goes to the audit,
    /// which is skipped (the quote is not below cost); approved; legal review done, finance open.
    static func drivenDeal() throws -> (DealView, DealService) {
        let service = try GraphFixtures.service()
        let machine = try service.machines.register(try GraphFixtures.machine(GraphFixtures.demoPath))
        let create = NewDealInput(dealID: "G-1", at: GraphFixtures.at(0), owner: "amy",
                                  fields: [WrittenValue("customer_name", .string("星辰科技")), WrittenValue("tier", .string("gold"))],
                                  members: [RoleAssignment("sales_manager", "mia")])
        let events: [EventInput] = [
            EventInput(at: GraphFixtures.at(60), actor: "amy", .set([WrittenValue("quote", .string("100 CNY")), WrittenValue("cost", .string("80 CNY"))])),
            EventInput(at: GraphFixtures.at(120), actor: "amy", .complete(node: "talks", outcome: nil)),
            EventInput(at: GraphFixtures.at(180), actor: "mia", .complete(node: "review", outcome: "approve")),
            EventInput(at: GraphFixtures.at(240), actor: "lee", .complete(node: "legal_review", outcome: nil)),
        ]
        if case .failure(let e) = service.create(create, machine: machine, events: events) { throw GraphFixtures.SetupError(description: "\(e)") }
        return (try service.view("G-1"), service)
    }

    /// A deal of the default branch: silver tier, talks done, so it went straight to review.
    static func defaultBranchDeal() throws -> DealView {
        let service = try GraphFixtures.service()
        let machine = try service.machines.register(try GraphFixtures.machine(GraphFixtures.demoPath))
        let create = NewDealInput(dealID: "G-3", at: GraphFixtures.at(0), owner: "amy",
                                  fields: [WrittenValue("customer_name", .string("银河物流")), WrittenValue("tier", .string("silver"))],
                                  members: [RoleAssignment("sales_manager", "mia")])
        let events: [EventInput] = [
            EventInput(at: GraphFixtures.at(60), actor: "amy", .set([WrittenValue("quote", .string("100 CNY")), WrittenValue("cost", .string("80 CNY"))])),
            EventInput(at: GraphFixtures.at(120), actor: "amy", .complete(node: "talks", outcome: nil)),
        ]
        if case .failure(let e) = service.create(create, machine: machine, events: events) { throw GraphFixtures.SetupError(description: "\(e)") }
        return try service.view("G-3")
    }

    /// The driven deal after its last review and a rework from signing back to talks: its model.
    static func reworked(_ service: DealService) throws -> GraphModel {
        let events: [EventInput] = [
            EventInput(at: GraphFixtures.at(300), actor: "fay", .complete(node: "finance_review", outcome: nil)),
            EventInput(at: GraphFixtures.at(360), actor: "amy", .rework(node: "signing", target: "talks", reason: "客户要求改价")),
        ]
        if case .failure(let e) = service.apply(events, to: "G-1") { throw GraphFixtures.SetupError(description: "\(e)") }
        let after = try service.view("G-1")
        return GraphModel.build(after.machine.machine, snapshot: after.snapshot)
    }

    /// The model of the driven deal migrated to the demo template with `edits` (text → text),
    /// each of which must apply.
    static func migrated(_ view: DealView, _ edits: [(String, String)]) throws -> GraphModel {
        var text = try String(contentsOfFile: GraphFixtures.root + "/" + GraphFixtures.demoPath, encoding: .utf8)
        for (old, new) in edits {
            #expect(text.contains(old), "\(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        let checked = TemplateChecker.check(path: "demo.flow.yaml", bytes: Array(text.utf8), fs: MemoryFileSystem([:]))
        #expect(!checked.hasErrors, "\(checked.diagnostics.map(\.message.text))")
        let next = PreparedMachine(try IRLoader.verify(try IRCompiler.compile(checked)))
        let at = view.snapshot.lastEventAt + 60
        let event = DealEvent(id: "m1", at: at, .migrate(from: view.snapshot.machineHash, to: next.machine.template.hash, map: []))
        let moved = try Runner.migrate(from: view.machine, to: next, view.snapshot, event, context: StepContext(now: at), limits: RunnerLimits()).get()
        return GraphModel.build(next.machine, snapshot: moved.snapshot)
    }

    @Test func overlayMarksNodeStatesAndExactlyTheTakenBranch() throws {
        let (view, _) = try Self.drivenDeal()
        let model = GraphModel.build(view.machine.machine, snapshot: view.snapshot)
        func state(_ key: String) -> NodeStatus? { model.nodes.first { $0.key == key }?.state }
        #expect(state("talks") == .done)
        #expect(state("audit") == .skipped)
        #expect(state("review") == .done)
        #expect(state("contract_review") == .done)
        #expect(state("legal_review") == .done)
        #expect(state("finance_review") == .active)
        #expect(state("review_done") == .waiting)
        #expect(state("signing") == .pending)
        #expect(state("won") == .pending)
        #expect(state("loss_review") == .pending)
        #expect(state(":lose") == .pending)

        let taken = model.edges.filter(\.taken).map { model.nodes[$0.from].key + ">" + model.nodes[$0.to].key }
        #expect(taken == [":start>talks", "talks>:if:talks", ":if:talks>audit", "audit>review", "review>contract_review",
                          "contract_review>legal_review", "contract_review>finance_review", "legal_review>review_done"])
        // Of the branch's two arrows, exactly the condition that held is taken.
        let branch = model.edges.filter { model.nodes[$0.from].key == ":if:talks" }
        #expect(branch.map { "\($0.kind):\($0.taken)" } == ["branch:true", "otherwise:false"])
        #expect(model.deal?.heading == "商机 G-1 · 进行中 · 私海 · 负责人 amy · 第 5 个事件")

        // The SVG carries the states as classes, a legend, and the taken arrows.
        let svg = try GraphSVG.render(model)
        let (parsed, error) = SVGReader.parse(svg)
        #expect(error == nil)
        graphCheckGeometry(parsed, model)
        func classes(_ key: String) -> Set<String> { parsed.boxes.first { $0.key == key }?.classes ?? [] }
        #expect(classes("talks").contains("done"))
        #expect(classes("audit").contains("skipped"))
        #expect(classes("finance_review").contains("active"))
        #expect(classes("review_done").contains("waiting"))
        #expect(classes("signing").contains("pending"))
        #expect(parsed.arrows.filter { $0.classes.contains("taken") }.map { $0.from + ">" + $0.to } == taken)
        // Blocked is 阻塞, as the report says it (QA round 9: the legend said 已逾期, the report's overdue).
        for word in ["已完成", "进行中", "阻塞", "等待汇合", "已跳过", "已关闭", "未到达", "已走路径"] {
            #expect(parsed.texts.contains(word), "legend lacks \(word)")
        }
        #expect(svg.contains("class=\"flowc-graph overlay\""))

        // DOT and Mermaid carry the overlay as styles.
        let dot = GraphDOT.render(model)
        #expect(dot.contains("\"finance_review\" [") && dot.contains("class=\"active\""))
        #expect(dot.contains("\":if:talks\" -> \"audit\" [label=\"tier == 'gold'\", color=\"#1c7ed6\", penwidth=\"2.6\", class=\"taken\""))
        #expect(dot.contains("\":if:talks\" -> \"review\" [label=\"否则\", tooltip="))
        let mermaid = GraphMermaid.render(model)
        #expect(mermaid.contains("classDef state_done "))
        #expect(mermaid.contains("  n2 ==>|\"tier == 'gold'\"| n3\n"))
        #expect(mermaid.contains("  n2 -->|\"否则\"| n4\n"))
        let takenIndices = model.edges.indices.filter { model.edges[$0].taken }.map(String.init).joined(separator: ",")
        #expect(mermaid.contains("  linkStyle \(takenIndices) stroke:#1c7ed6,stroke-width:3px\n"))
    }

    /// A node a migration put between two nodes the deal has passed is drawn passed over, and
    /// the arrows through it taken, so that the path stays whole (QA round 41, M2: drawn not
    /// reached, the arrows faint, as if the deal had jumped it).
    @Test func aNodeAMigrationAddedBehindTheDealIsPassedOver() throws {
        let (view, _) = try Self.drivenDeal()
        let inserted = "    when: \"quote < cost\"\n    next: prep\n  - id: prep\n    name: {zh: 准备, en: Prep}\n    owner: sales_manager\n    next: review\n"
        let model = try Self.migrated(view, [("version: 1.0.0", "version: 1.1.0"), ("    when: \"quote < cost\"\n    next: review\n", inserted)])
        let prep = try #require(model.nodes.first { $0.key == "prep" })
        #expect(prep.state == .skipped)
        #expect(prep.tooltip.last == "已越过（迁移时新增在商机所到之处之前）")
        let taken = Set(model.edges.filter(\.taken).map { model.nodes[$0.from].key + ">" + model.nodes[$0.to].key })
        #expect(taken.isSuperset(of: ["audit>prep", "prep>review", "review>contract_review"]), "\(taken.sorted())")
        // The deal's own nodes are as before; nodes ahead of it stay not reached.
        #expect(model.nodes.first { $0.key == "review" }?.state == .done)
        #expect(model.nodes.first { $0.key == "signing" }?.state == .pending)
        // The same deal on its own version has no node passed over.
        let before = GraphModel.build(view.machine.machine, snapshot: view.snapshot)
        #expect(!before.nodes.contains { $0.tooltip.last == "已越过（迁移时新增在商机所到之处之前）" })
    }

    /// The same for nodes a migration put on the branch the deal took, and after the approval
    /// outcome it chose; one put on the branch it did not take stays not reached (QA round 43,
    /// F2: a node on a branch behind the deal was drawn not reached).
    @Test func aNodeAMigrationAddedOnTheBranchTheDealTookIsPassedOver() throws {
        let (view, _) = try Self.drivenDeal()
        let added = """
              - {id: vetting, name: {zh: 资格审查, en: Vetting}, owner: sales_manager, next: audit}
              - {id: intro, name: {zh: 介绍, en: Intro}, owner: sales_owner, next: review}
              - {id: checks, name: {zh: 核对, en: Checks}, owner: sales_manager, next: contract_review}
              - {id: contract_review,
            """
        let model = try Self.migrated(view, [("version: 1.0.0", "version: 1.1.0"),
                                             ("        to: audit\n      - default: review\n", "        to: vetting\n      - default: intro\n"),
                                             ("approve: contract_review", "approve: checks"), ("  - {id: contract_review,", added)])
        for key in ["vetting", "checks"] {
            let node = try #require(model.nodes.first { $0.key == key })
            #expect(node.state == .skipped, "\(key)")
            #expect(node.tooltip.last == "已越过（迁移时新增在商机所到之处之前）", "\(key): \(node.tooltip)")
        }
        let intro = try #require(model.nodes.first { $0.key == "intro" })
        #expect(intro.state == .pending)
        #expect(intro.tooltip.last == "未到达", "\(intro.tooltip)")
        let taken = Set(model.edges.filter(\.taken).map { model.nodes[$0.from].key + ">" + model.nodes[$0.to].key })
        #expect(taken.isSuperset(of: [":if:talks>vetting", "vetting>audit", "review>checks", "checks>contract_review"]), "\(taken.sorted())")
        #expect(!taken.contains { $0.hasSuffix(">intro") || $0.hasPrefix("intro>") }, "\(taken.sorted())")
    }

    /// A deal that took the default branch: the other branch, which meets the same node, stays
    /// not reached, a node a migration put on it too (QA round 44, R9: both were drawn passed
    /// over, their arrows taken).
    @Test func theBranchADealDidNotTakeStaysNotReachedAfterAMigration() throws {
        let view = try Self.defaultBranchDeal()
        let model = try Self.migrated(view, [("version: 1.0.0", "version: 1.1.0"), ("        to: audit\n", "        to: vetting\n"),
                                             ("  - {id: contract_review,", "  - {id: vetting, name: {zh: 资格审查, en: Vetting}, owner: sales_manager, next: audit}\n  - {id: contract_review,")])
        for key in ["vetting", "audit"] {
            let node = try #require(model.nodes.first { $0.key == key })
            #expect(node.state == .pending, "\(key)")
            #expect(node.tooltip.last == "未到达", "\(key): \(node.tooltip)")
        }
        #expect(model.nodes.first { $0.key == "review" }?.state == .active)
        let taken = Set(model.edges.filter(\.taken).map { model.nodes[$0.from].key + ">" + model.nodes[$0.to].key })
        #expect(!taken.contains { $0.contains("vetting") || $0.contains("audit") }, "\(taken.sorted())")
        #expect(taken.contains(":if:talks>review"), "\(taken.sorted())")
    }

    @Test func lostDealShowsClosedNodesAndTheLosePathTaken() throws {
        let service = try GraphFixtures.service()
        let machine = try service.machines.register(try GraphFixtures.machine(GraphFixtures.demoPath))
        let create = NewDealInput(dealID: "G-2", at: GraphFixtures.at(0), owner: "amy", fields: [WrittenValue("customer_name", .string("远山物流"))])
        let events = [EventInput(at: GraphFixtures.at(60), actor: "amy", .lose(reason: "price"))]
        if case .failure(let e) = service.create(create, machine: machine, events: events) { throw GraphFixtures.SetupError(description: "\(e)") }
        let view = try service.view("G-2")
        let model = GraphModel.build(view.machine.machine, language: .en, snapshot: view.snapshot)
        func state(_ key: String) -> NodeStatus? { model.nodes.first { $0.key == key }?.state }
        #expect(state("talks") == .closed)
        #expect(state(":lose") == .done)
        #expect(state("loss_review") == .active)
        let taken = model.edges.filter(\.taken).map { model.nodes[$0.from].key + ">" + model.nodes[$0.to].key }
        #expect(taken == [":start>talks", ":lose>loss_review"])
        // Open, its open node the loss review: in loss review, as the report says (QA round 39, H15).
        #expect(model.deal?.heading == "Deal G-2 · in loss review · private pool · owner amy · event 2")

        // Every form marks the lose arrow the deal took: bold in its own red, as DOT and SVG do;
        // Mermaid left it in the plain lose style, like the arrows not taken.
        let lose = try #require(model.edges.firstIndex { $0.kind == .lose && model.nodes[$0.to].key == "loss_review" })
        let mermaid = GraphMermaid.render(model)
        #expect(mermaid.contains("  linkStyle \(lose) stroke:#c53030,stroke-width:3px\n"), "\(mermaid)")
        let notTaken = model.edges.indices.filter { model.edges[$0].kind == .lose && $0 != lose }
        if !notTaken.isEmpty { #expect(!mermaid.contains("  linkStyle \(notTaken.map(String.init).joined(separator: ",")) stroke:#c53030\n")) }
        #expect(GraphDOT.render(model).contains("penwidth=\"2.6\", class=\"taken\""))

        // The lose entry done is red in every form, not the green of progress (QA round 9: a
        // lost deal's end and loss review were drawn green, like a won deal's).
        let entry = try #require(model.nodes.firstIndex { $0.key == ":lose" })
        #expect(mermaid.contains("  class n\(entry) state_done_losing\n") || mermaid.contains(",n\(entry) state_done_losing\n")
                    || mermaid.contains(" n\(entry),") && mermaid.contains("state_done_losing"), "\(mermaid)")
        #expect(GraphDOT.render(model).contains("fillcolor=\"#fff0f0\", color=\"#a61b1b\""))
        let svg = try GraphSVG.render(model)
        #expect(svg.contains(".overlay .node.lose-entry.done .box,.overlay .node.lose-path.done .box{fill:#fff0f0;stroke:#a61b1b"))
        #expect(svg.contains("class=\"node lose-entry done"), "\(svg)")
    }

    /// A lost deal: its lost end and its loss review, done, are red (the end bolder).
    @Test func aLostDealsEndIsRedNotGreen() throws {
        let service = try GraphFixtures.service()
        let machine = try service.machines.register(try GraphFixtures.machine(GraphFixtures.demoPath))
        let create = NewDealInput(dealID: "G-3", at: GraphFixtures.at(0), owner: "amy", fields: [WrittenValue("customer_name", .string("远山物流"))])
        let events = [EventInput(at: GraphFixtures.at(60), actor: "amy", .lose(reason: "price")),
                      EventInput(at: GraphFixtures.at(120), actor: "amy", .complete(node: "loss_review", outcome: nil))]
        if case .failure(let e) = service.create(create, machine: machine, events: events) { throw GraphFixtures.SetupError(description: "\(e)") }
        let view = try service.view("G-3")
        let model = GraphModel.build(view.machine.machine, snapshot: view.snapshot)
        let lost = try #require(model.nodes.first { $0.kind == .lost })
        #expect(lost.state == .done && lost.losing)
        let dot = GraphDOT.render(model)
        let lostLine = try #require(dot.split(separator: "\n").first { $0.drop(while: { $0 == " " }).hasPrefix("\"\(lost.key)\" [") })
        #expect(lostLine.contains("fillcolor=\"#ffc9c9\", color=\"#a61b1b\", penwidth=\"3\""), "\(lostLine)")
        let review = try #require(dot.split(separator: "\n").first { $0.drop(while: { $0 == " " }).hasPrefix("\"loss_review\" [") })
        #expect(review.contains("fillcolor=\"#fff0f0\""), "\(review)")
        // The legend has the red of the way to lost, apart from blocked's (QA round 10).
        let svg = try GraphSVG.render(model)
        #expect(svg.contains("class=\"legend-item node lost done\""), "\(svg)")
        #expect(svg.contains("输单路径（已走过）"))
    }

    /// A lost deal claimed back: its earlier loss stays red, pale as a pass sent back from, not
    /// the pale green of progress (QA round 39, H5: a green path ending in a green lost end).
    @Test func anEarlierLossIsPaleRed() throws {
        let service = try GraphFixtures.service()
        let machine = try service.machines.register(try GraphFixtures.machine(GraphFixtures.demoPath))
        let create = NewDealInput(dealID: "G-5", at: GraphFixtures.at(0), owner: "amy", fields: [WrittenValue("customer_name", .string("远山物流"))])
        let events = [EventInput(at: GraphFixtures.at(60), actor: "amy", .lose(reason: "price")),
                      EventInput(at: GraphFixtures.at(120), actor: "amy", .complete(node: "loss_review", outcome: nil)),
                      EventInput(at: GraphFixtures.at(180), actor: "bob", .claim)]
        if case .failure(let e) = service.create(create, machine: machine, events: events) { throw GraphFixtures.SetupError(description: "\(e)") }
        let view = try service.view("G-5")
        let model = GraphModel.build(view.machine.machine, snapshot: view.snapshot)
        let review = try #require(model.nodes.first { $0.key == "loss_review" })
        #expect(review.passedEarlier && review.losing, "\(review)")
        let dot = GraphDOT.render(model)
        let line = try #require(dot.split(separator: "\n").first { $0.drop(while: { $0 == " " }).hasPrefix("\"loss_review\" [") })
        #expect(line.contains("fillcolor=\"#fff5f5\", color=\"#e8a0a0\""), "\(line)")
        #expect(GraphMermaid.render(model).contains("state_earlier_losing"))
        let svg = try GraphSVG.render(model)
        #expect(svg.contains(".overlay .node.pending.earlier.lose-path .box{fill:#fff5f5;stroke:#e8a0a0"))
        #expect(svg.contains("class=\"node task pending lose-path earlier\""), "\(svg)")
        // The loss's arrows alike: the lose arrow and the one to the lost end, pale red dashed.
        let lossArrows = model.edges.filter { model.nodes[$0.to].key == "loss_review" && $0.kind == .lose || model.nodes[$0.from].key == "loss_review" }
        #expect(!lossArrows.isEmpty && lossArrows.allSatisfy { $0.taken && $0.earlier }, "\(lossArrows)")
        #expect(svg.contains("marker-end=\"url(#arrow-earlier-losing)\""))
        // The lose entry of that loss too, and the legend says what pale red is, its arrows' item
        // in other words than the boxes' (QA round 40, K4, K7).
        #expect(model.nodes.first { $0.kind == .loseEntry }?.passedEarlier == true)
        #expect(svg.contains("上一轮的输单（已认领回）") && svg.contains("上一轮的走向"))
        let legendStart = try #require(svg.range(of: "<g class=\"legend\">"))
        let legendEnd = try #require(svg.range(of: "</g>\n", range: legendStart.upperBound..<svg.endIndex) ?? svg.range(of: "</svg>"))
        let legend = String(svg[legendStart.upperBound..<legendEnd.lowerBound])
        #expect(legend.components(separatedBy: "上一轮路径（已退回）").count - 1 == 1, "\(legend)")
    }

    /// A node of the lose path the main flow also leads to (an outcome into the loss review) is
    /// drawn as lose path in the main flow, not as a plain task (QA round 39, H3).
    @Test func aLosePathNodeTheMainFlowLeadsToIsDrawnAsLosePath() throws {
        let machine = try GraphFixtures.machine("templates/key-account-tender.flow.yaml").machine
        let model = GraphModel.build(machine)
        let review = try #require(model.nodes.first { $0.key == "loss_review" })
        #expect(review.losePath && !review.inLane)
        #expect(model.nodes.first { $0.kind == .loseEntry }?.inLane == true)
        let dot = GraphDOT.render(model)
        let line = try #require(dot.split(separator: "\n").first { $0.drop(while: { $0 == " " }).hasPrefix("\"loss_review\" [") })
        #expect(line.contains("style=\"rounded,filled,dashed\", color=\"#c53030\""), "\(line)")
        #expect(try GraphSVG.render(model).contains("class=\"node task lose-path\" data-node=\"loss_review\""))
    }

    @Test func reworkArrowIsTakenOnlyAfterARework() throws {
        let (view, service) = try Self.drivenDeal()
        let before = GraphModel.build(view.machine.machine, snapshot: view.snapshot)
        #expect(before.edges.filter { $0.kind == .rework }.allSatisfy { !$0.taken })
        let model = try Self.reworked(service)
        let rework = try #require(model.edges.first { $0.kind == .rework })
        #expect(rework.taken)
        let index = try #require(model.edges.firstIndex { $0.kind == .rework })
        #expect(GraphMermaid.render(model).contains("  linkStyle \(index) stroke:#dd6b20,stroke-width:3px\n"))
        #expect(model.nodes.first { $0.key == "talks" }?.state == .active)
        #expect(model.nodes.first { $0.key == "signing" }?.state == .pending)
    }

    /// After a rework back to the first node, the nodes the deal went through since are drawn as
    /// passed earlier, and the arrows between them as taken: the path stays whole (QA round 9:
    /// bold arrows ran between boxes drawn "not reached", the plain arrows of that pass faint).
    @Test func thePassBeforeAReworkIsDrawnWhole() throws {
        let model = try Self.reworked(try Self.drivenDeal().1)
        func node(_ key: String) -> GraphNode? { model.nodes.first { $0.key == key } }
        #expect(node("talks")?.state == .active && node("talks")?.passedEarlier == false)
        for key in ["review", "legal_review", "finance_review", "signing"] {
            #expect(node(key)?.state == .pending && node(key)?.passedEarlier == true, "\(key)")
        }
        // The audit, tailored out on that pass (skipped, never entered), is on its path: the
        // branch to it was taken, so it is drawn passed earlier too.
        #expect(node("audit")?.passedEarlier == true)
        #expect(node("won")?.passedEarlier == false)
        let taken = Set(model.edges.filter(\.taken).map { model.nodes[$0.from].key + ">" + model.nodes[$0.to].key })
        for arrow in ["audit>review", "legal_review>review_done", "finance_review>review_done", "review_done>signing", "signing>talks"] {
            #expect(taken.contains(arrow), "\(arrow) in \(taken.sorted())")
        }
        #expect(!taken.contains { $0.hasSuffix(">won") })
        // Every arrow taken joins two boxes the deal was at: none starts or ends at a box not reached.
        for e in model.edges where e.taken {
            for end in [model.nodes[e.from], model.nodes[e.to]] where end.kind == .task || end.kind == .approval {
                #expect(end.state != .pending || end.passedEarlier, "\(end.key)")
            }
        }
        // Those arrows are drawn as that pass's, not as the path the deal is on (QA round 39, H4):
        // every arrow from a box passed earlier; the rework arrow and the current pass are not.
        let earlier = Set(model.edges.filter(\.earlier).map { model.nodes[$0.from].key + ">" + model.nodes[$0.to].key })
        for arrow in ["audit>review", "legal_review>review_done", "finance_review>review_done", "review_done>signing"] {
            #expect(earlier.contains(arrow), "\(arrow) in \(earlier.sorted())")
        }
        #expect(!earlier.contains("signing>talks") && !earlier.contains(":start>talks"), "\(earlier.sorted())")
        let svg = try GraphSVG.render(model)
        #expect(svg.contains("上一轮路径（已退回）"))
        #expect(svg.contains("class=\"node task pending earlier\""), "\(svg)")
        #expect(svg.contains("data-from=\"review_done\" data-to=\"signing\"") && svg.contains("marker-end=\"url(#arrow-earlier)\""))
        #expect(svg.contains("<path d=\"M0 -4 L26 -4\" class=\"legend-earlier\"/>"))
        #expect(GraphDOT.render(model).contains("class=\"taken earlier\""))
        #expect(GraphDOT.render(model).contains("class=\"pending earlier\""))
        #expect(GraphMermaid.render(model).contains("state_earlier"))
        // Without a rework, no box is passed earlier and the legend has no such item.
        let (plain, _) = try Self.drivenDeal()
        let plainModel = GraphModel.build(plain.machine.machine, snapshot: plain.snapshot)
        #expect(!plainModel.nodes.contains { $0.passedEarlier })
        let plainSVG = try GraphSVG.render(plainModel)
        #expect(!plainSVG.contains("上一轮路径"))
    }

    @Test func nodeRecordsGiveABadgeAndTooltipLines() throws {
        let (view, _) = try Self.drivenDeal()
        var snapshot = view.snapshot
        let talks = try #require(view.machine.machine.nodes.firstIndex { $0.id == "talks" })
        snapshot.records = [
            NodeRecord(node: talks, kind: .note, text: "客户关注 <交付> 周期", author: "amy", at: 1_714_957_300, sequence: 3),
            NodeRecord(node: talks, kind: .link, text: "拜访纪要", url: "https://wiki.example.com/a?b=1&c=2", author: "amy", at: 1_714_957_400, sequence: 4),
        ]
        let model = GraphModel.build(view.machine.machine, snapshot: snapshot)
        let node = try #require(model.nodes.first { $0.key == "talks" })
        #expect(node.recordCount == 2)
        #expect(node.tooltip.contains { $0.hasPrefix("[note] 客户关注 <交付> 周期 — amy") })
        #expect(node.tooltip.contains { $0.hasPrefix("[link] 拜访纪要 <https://wiki.example.com/a?b=1&c=2> — amy") })
        #expect(model.nodes.filter { $0.recordCount > 0 }.count == 1)
        let svg = try GraphSVG.render(model)
        let (parsed, error) = SVGReader.parse(svg)
        #expect(error == nil)
        #expect(parsed.boxes.first { $0.key == "talks" }?.classes.contains("has-records") == true)
        #expect(parsed.texts.contains("2"))
        #expect(parsed.titles.contains { $0.contains("记录 2 条") && $0.contains("[link] 拜访纪要 <https://wiki.example.com/a?b=1&c=2>") })
    }
}
