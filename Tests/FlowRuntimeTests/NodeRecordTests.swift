import FlowExpr
import FlowIR
import FlowRuntime
import Foundation
import Testing

/// Node records (S9): notes and document links attached to nodes by events.
@Suite struct NodeRecordTests {
    @Test func notesAndLinksAttachToReachedNodesWithoutChangingThem() throws {
        var d = try Mini.pastTalks()
        let before = try #require(d.snapshot)
        try d.apply(.note(node: "review", text: "  客户希望下周演示 \n"), by: "alice", after: hour)
        try d.apply(.link(node: "talks", url: "https://docs.example.com/拜访纪要?v=2#p1", title: "拜访纪要"), by: "pete", after: minute)
        try d.apply(.link(node: "talks", url: "HTTP://intranet/q/42", title: nil), after: minute)
        let s = try #require(d.snapshot)
        let talks = try #require(d.m.nodes.firstIndex { $0.id == "talks" })
        let review = try #require(d.m.nodes.firstIndex { $0.id == "review" })
        #expect(s.records == [
            NodeRecord(node: review, kind: .note, text: "客户希望下周演示", url: nil, author: "alice", at: before.lastEventAt + hour, sequence: before.sequence + 1),
            NodeRecord(node: talks, kind: .link, text: "拜访纪要", url: "https://docs.example.com/拜访纪要?v=2#p1", author: "pete",
                       at: before.lastEventAt + hour + minute, sequence: before.sequence + 2),
            NodeRecord(node: talks, kind: .link, text: "HTTP://intranet/q/42", url: "HTTP://intranet/q/42", author: nil,
                       at: before.lastEventAt + hour + 2 * minute, sequence: before.sequence + 3),
        ])
        // Not a status change: nodes, the idle clock and the next timer stay as they were.
        #expect(s.nodes == before.nodes)
        #expect(s.lastStatusChangeAt == before.lastStatusChangeAt)
        #expect(Runner.nextTimer(d.pm, s) == Runner.nextTimer(d.pm, before))
        #expect(d.effects.isEmpty)
        // The fold of the log gives the same records.
        #expect(try d.replayed().get().snapshot == s)
    }

    @Test func closedNodesAndClosedDealsTakeRecords() throws {
        var d = try Mini.deal()
        try d.apply(.lose(reason: "price"), by: "alice", after: day)
        #expect(d.node("talks")?.status == .closed)
        try d.apply(.note(node: "talks", text: "客户预算冻结"), by: "alice", after: minute)
        try d.apply(.setFields([FieldAssignment("notes", .text("too expensive"))]))
        try d.apply(.complete(node: "loss_review", outcome: nil), by: "alice", after: hour)
        #expect(d.snapshot?.status == .lost)
        try d.apply(.link(node: "loss_review", url: "https://wiki.example.com/loss/42", title: "复盘"), by: "mia", after: minute)
        #expect(d.snapshot?.records.count == 2)
    }

    @Test func badRecordsAreRefusedWithTheirCodes() throws {
        var d = try Mini.deal()
        #expect(d.refuse(.note(node: "review", text: "x"))?.code == "FC1171")
        #expect(d.refuse(.note(node: "review", text: "x"))?.message == "node `review` is pending: notes and links attach only to nodes the deal has reached")
        #expect(d.refuse(.note(node: "reveiw", text: "x"))?.code == "FC1120")
        #expect(d.refuse(.note(node: "talks", text: " \t\n"))?.message == "the note is empty")
        #expect(d.refuse(.link(node: "talks", url: "  ", title: nil))?.message == "the URL is empty")
        for bad in ["javascript:alert(1)", "file:///etc/passwd", "ftp://example.com", "https://", "https:///path", "https://exa mple.com",
                    "https://example.com/\u{7}", "www.example.com"] {
            #expect(d.refuse(.link(node: "talks", url: bad, title: nil))?.code == "FC1173", "\(bad)")
        }
        // A skipped node: `audit_check` is tailored out for a strategic deal.
        var strategic = try Mini.pastTalks(quote: 10, cost: 50, fields: [FieldAssignment("strategic", .boolean(true))])
        #expect(strategic.node("audit_check")?.status == .skipped)
        #expect(strategic.refuse(.note(node: "audit_check", text: "x"))?.message == "node `audit_check` is skipped: notes and links attach only to nodes the deal has reached")
    }

    @Test func textsAreBoundedAndTheRecordsKeptAreBounded() throws {
        var d = try Mini.deal()
        d.limits.maxRecordCharacters = 10
        try d.apply(.note(node: "talks", text: "一二三四五六七八九十"))
        let long = d.refuse(.note(node: "talks", text: "一二三四五六七八九十一"))
        #expect(long?.code == "FC1161")
        #expect(long?.message == "the note (11 characters) exceeds the limit of 10 characters")
        #expect(d.refuse(.link(node: "talks", url: "https://example.com/long", title: nil))?.code == "FC1161")
        #expect(d.refuse(.link(node: "talks", url: "https://a.cn", title: "a title that is long"))?.code == "FC1161")

        var kept = try Mini.deal()
        kept.limits.maxRecords = 3
        for i in 1...5 { try kept.apply(.note(node: "talks", text: "note \(i)"), after: minute) }
        let s = try #require(kept.snapshot)
        #expect(s.records.map(\.text) == ["note 3", "note 4", "note 5"])
        #expect(s.recordsDropped == 2)
        #expect(try kept.replayed().get().snapshot == s)
    }

    @Test func recordsFollowTheirNodeThroughAMigration() throws {
        var d = try Mini.deal()
        try d.apply(.note(node: "talks", text: "首次拜访"), by: "alice", after: hour)
        let v2 = try MiniVersion.make("2.0.0", renameTalks: true)
        let (moved, _) = try d.migrate(to: v2, map: [NodeMapping("talks", "first_talks")]).get()
        let s = try #require(moved.snapshot)
        #expect(s.records.map(\.node) == [try #require(v2.machine.nodes.firstIndex { $0.id == "first_talks" })])
        #expect(s.records.first?.text == "首次拜访")
    }

    @Test func aVersion1SnapshotIsUpgradedWithNoRecords() throws {
        let s = try #require(try Mini.deal().snapshot)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(s.encoded())) as? [String: Any])
        object["schemaVersion"] = 1
        object.removeValue(forKey: "records")
        object.removeValue(forKey: "recordsDropped")
        let old = try JSONSerialization.data(withJSONObject: object)
        let upgraded = try DealSnapshot.decode(Array(old))
        #expect(upgraded == s)
        #expect(upgraded.schemaVersion == DealSnapshot.currentSchemaVersion)
        #expect(upgraded.records.isEmpty && upgraded.recordsDropped == 0)
    }

    @Test func recordEventsRoundTripThroughJSON() throws {
        for action: DealAction in [.note(node: "talks", text: "客户 \"A\""), .link(node: "talks", url: "https://a.cn/x", title: "报价"),
                                   .link(node: "talks", url: "https://a.cn/x", title: nil)] {
            let e = DealEvent(id: "r1", at: 5, actor: "amy", action)
            #expect(try JSONDecoder().decode(DealEvent.self, from: Data(e.encoded())) == e)
        }
        #expect(String(decoding: DealEvent(id: "r", at: 1, .note(node: "n", text: "t")).encoded(), as: UTF8.self)
            == #"{"at":1,"id":"r","node":"n","text":"t","type":"note"}"#)
    }

    @Test func scenariosTakeNoteAndLinkSteps() throws {
        let json = #"""
        {"scenario": "records", "template": "mini.flow.yaml", "start": "2024-05-06T09:00:00+08:00",
         "deal": {"owner": "alice", "fields": {"customer_name": "星辰"}},
         "steps": [
           {"add_note": {"node": "talks", "text": "首次拜访"}, "by": "alice", "at": "+1h"},
           {"add_link": {"node": "talks", "url": "https://a.cn/doc", "title": "纪要"}, "by": "alice"},
           {"add_note": {"node": "review", "text": "x"}, "expect": {"refused": "FC1171"}}
         ]}
        """#
        let report = ScenarioRunner.run(json: Array(json.utf8), machine: try machine(path: Mini.path).verified)
        #expect(report.passed, "\(report.description)")
        let bad = #"{"scenario": "x", "template": "t", "start": 0, "deal": {}, "steps": [{"add_link": {"node": "talks"}}]}"#
        switch Scenario.parse(json: Array(bad.utf8)) {
        case .success: Issue.record("accepted a link without a url")
        case .failure(let e): #expect(e.description == "steps[0].add_link: missing `url`")
        }
    }
}
