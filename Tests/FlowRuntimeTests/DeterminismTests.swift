import FlowExpr
import FlowIR
import FlowRuntime
import Foundation
import Testing

/// The same machine and log give the same snapshots and effects; a snapshot is the fold of its log.
@Suite struct DeterminismTests {
    /// A long, varied log on the standard template.
    static func story() throws -> Deal {
        var d = try StandardTemplateTests.toSigning()
        try d.apply(.addRoleMember(role: "operations", person: "otto"), after: hour)
        try d.apply(.setFields([FieldAssignment("quote", money(150_000))]), after: hour)
        try d.apply(.rework(node: "contract_signing", target: "proposal_quotation", reason: "price"), after: day)
        try d.apply(.tick, after: 40 * day)
        try d.apply(.claim, by: "bob", after: day)
        try d.apply(.lose(reason: "price"), by: "bob", after: day)
        return d
    }

    @Test func snapshotIsTheFoldOfTheLog() throws {
        let d = try Self.story()
        guard case .success(let replay) = d.replayed() else {
            Issue.record("the log does not replay")
            return
        }
        #expect(replay.snapshot == d.snapshot)
        #expect(replay.effects == d.allEffects)
    }

    @Test func sameLogGivesIdenticalBytes() throws {
        let a = try Self.story()
        let b = try Self.story()
        #expect(a.snapshot?.encoded() == b.snapshot?.encoded())
        #expect(a.allEffects.map { $0.encoded() } == b.allEffects.map { $0.encoded() })
    }

    @Test func effectIDsAreStableAndUnique() throws {
        let d = try Self.story()
        let ids = d.allEffects.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.hasPrefix("fx-") && $0.count == 35 })
        #expect(Effect.stableID(dealID: "deal-1", eventID: "e1", index: 0) == d.allEffects.first?.id)
        #expect(Effect.stableID(dealID: "deal-1", eventID: "e1", index: 0) != Effect.stableID(dealID: "deal-2", eventID: "e1", index: 0))
        #expect(Effect.stableID(dealID: "a/b", eventID: "c", index: 0) != Effect.stableID(dealID: "a", eventID: "b/c", index: 0))
        for e in d.allEffects { #expect(e.id == Effect.stableID(dealID: e.dealID, eventID: e.eventID, index: e.index)) }
    }

    /// Effect ids are `fx-` and the first 32 hex digits of SHA-256(deal id, 0, event id, 0,
    /// index in decimal), pinned against an independent implementation (Python's hashlib), for
    /// empty, non-ASCII, large and negative parts.
    @Test(arguments: [
        ("deal-1", "e1", 0, "fx-9487282760c011e29c9fac60f7f54fb4"),
        ("D100", "ev-1", 9, "fx-c3241209dada853128ae358833c4e5f2"),
        ("", "", 0, "fx-eadb6c511e574df8ca19d1b205a972ea"),
        ("客户", "group_chat", 12, "fx-3b75987433acab300a5b2f811d52cdc5"),
        ("d", "e", 1_234_567_890_123_456_789, "fx-ce151610d520211646690385d0b53077"),
        ("d", "e", -5, "fx-9746626ae0ee3cf5b49221c62474dada"),
    ])
    func effectIDsArePinnedToTheirDefinition(_ deal: String, _ event: String, _ index: Int, _ id: String) {
        #expect(Effect.stableID(dealID: deal, eventID: event, index: index) == id)
        var message = Array(deal.utf8) + [0] + Array(event.utf8) + [0]
        message += Array(String(index).utf8)
        #expect("fx-" + SHA256.hex(message).prefix(32) == id)
    }

    @Test func snapshotsEventsAndEffectsRoundTripThroughJSON() throws {
        let d = try Self.story()
        let s = try #require(d.snapshot)
        #expect(try DealSnapshot.decode(s.encoded()) == s)
        for (event, context) in d.log {
            #expect(try JSONDecoder().decode(DealEvent.self, from: Data(event.encoded())) == event)
            #expect(try JSONDecoder().decode(StepContext.self, from: JSONEncoder().encode(context)) == context)
        }
        for e in d.allEffects { #expect(try JSONDecoder().decode(Effect.self, from: Data(e.encoded())) == e) }
    }

    @Test(arguments: [
        DealAction.create(dealID: "d", owner: "o", fields: [FieldAssignment("a", .text("x"))], members: [RoleAssignment("r", "p")]),
        .create(dealID: "d", owner: nil, fields: [], members: []),
        .setFields([FieldAssignment("a", .null)]), .tickDeliverable(node: "n", deliverable: "d", done: false),
        .complete(node: "n", outcome: "approve"), .complete(node: "n", outcome: nil), .rework(node: "n", target: "t", reason: "r"),
        .addRoleMember(role: "r", person: "p"), .removeRoleMember(role: "r", person: "p"), .lose(reason: "price"), .lose(reason: nil),
        .win(node: "n"), .win(node: nil), .claim, .release, .assign(to: "p"), .tick,
    ])
    func everyEventRoundTrips(_ action: DealAction) throws {
        let e = DealEvent(id: "e", at: 5, actor: "a", action)
        #expect(try JSONDecoder().decode(DealEvent.self, from: Data(e.encoded())) == e)
    }

    @Test func everyValueRoundTrips() throws {
        let values: [ExprValue] = [
            .null, .boolean(true), .integer(Int64.min), .decimal(ExprDecimal(significand: -12345, scale: 3) ?? .zero),
            .money(amount: ExprDecimal(significand: 1, scale: 18) ?? .zero, currency: "USD"), .text("星辰\n\"x\""),
            .date(days: -1), .datetime(seconds: t0), .duration(seconds: 90), .enumValue("gold"), .list([.list([.integer(1)]), .null]),
        ]
        for v in values {
            #expect(try JSONDecoder().decode(ExprValue.self, from: JSONEncoder().encode(v)) == v)
        }
        let bad = Data(#"{"type": "decimal", "value": "1e5"}"#.utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ExprValue.self, from: bad) }
    }

    @Test func snapshotSchemaVersionIsChecked() throws {
        let s = try #require(try Mini.deal().snapshot)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(s.encoded())) as? [String: Any])
        object["schemaVersion"] = DealSnapshot.currentSchemaVersion + 1
        let newer = try JSONSerialization.data(withJSONObject: object)
        #expect(throws: Refusal.self) { try DealSnapshot.decode(Array(newer)) }
        do {
            _ = try DealSnapshot.decode(Array(newer))
        } catch {
            #expect(error.code == "FC1104")
            #expect(error.message == "the snapshot cannot be used: schema version 5; this runner reads version 4")
        }
        for garbage in ["", "[]", "{}", #"{"schemaVersion": 1}"#, "{\"schemaVersion\": 1, \"dealID\": 3}"] {
            #expect(throws: Refusal.self) { try DealSnapshot.decode(Array(garbage.utf8)) }
        }
    }

    /// A version-2 snapshot (before `withheld`) reads as one with nobody withheld, and its last
    /// owner's cooldown still holds through `previousOwner` and `releasedAt`.
    @Test func aVersion2SnapshotIsUpgradedAndKeepsItsLastOwnersCooldown() throws {
        var d = try Mini.deal()
        try d.apply(.release, by: "alice", after: hour)
        let s = try #require(d.snapshot)
        var object = try #require(try JSONSerialization.jsonObject(with: Data(s.encoded())) as? [String: Any])
        object["schemaVersion"] = 2
        object.removeValue(forKey: "withheld")
        let bytes = Array(try JSONSerialization.data(withJSONObject: object))
        let old = try DealSnapshot.decode(bytes)
        #expect(old.schemaVersion == DealSnapshot.currentSchemaVersion && old.withheld.isEmpty && old.previousOwner == "alice")
        // The same as the upgrade by Foundation (the fast reader takes version 2 as well).
        var upgraded = object
        upgraded["schemaVersion"] = DealSnapshot.currentSchemaVersion
        upgraded["withheld"] = [Any]()
        let slow = try JSONDecoder().decode(DealSnapshot.self, from: JSONSerialization.data(withJSONObject: upgraded))
        #expect(old == slow)
        let claim = DealEvent(id: "claim", at: d.time + minute, actor: "alice", .claim)
        guard case .failure(let refusal) = Runner.step(d.pm, old, claim, context: StepContext(now: d.time + minute)) else {
            Issue.record("the claim went through")
            return
        }
        #expect(refusal.code == "FC1152")
    }

    @Test func replayReportsTheFirstRefusedEvent() throws {
        let d = try Mini.deal()
        var events = d.log.map(\.0)
        events.append(DealEvent(id: "bad", at: t0 + 1, .complete(node: "review", outcome: nil)))
        guard case .failure(let f) = Runner.replay(d.pm, events: events, contexts: []) else {
            Issue.record("expected a failure")
            return
        }
        #expect(f.index == 1 && f.eventID == "bad" && f.refusal.code == "FC1121")
    }

    @Test func summaryGivesTheIndexedColumns() throws {
        let d = try Mini.deal(fields: [FieldAssignment("tax_id", .text("91110000MA01"))])
        let summary = Runner.summary(d.pm, try #require(d.snapshot))
        #expect(summary.isOpen && summary.pool == .private && summary.owner == "alice")
        #expect(summary.activeNodes == ["talks"] && summary.blockedNodes == [])
        #expect(summary.nextTimerAt == t0 + 5 * day)
        #expect(summary.customerKey == "customer_name\u{1F}星辰科技\u{1E}tax_id\u{1F}91110000ma01")
    }
}
