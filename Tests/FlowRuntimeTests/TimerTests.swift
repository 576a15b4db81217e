import FlowExpr
import FlowIR
import FlowRuntime
import Testing

/// S4 idle timer, S8 due dates, blocked nodes and escalation; `nextTimer`.
@Suite struct TimerTests {
    @Test func idleDealWarnsThenReturnsToPool() throws {
        var d = try Mini.deal()
        // Talks is due at +5d (then escalates at +6d); take it out of the way to see the idle timer alone.
        try d.apply(.addRoleMember(role: "legal", person: "lou"), after: hour)
        #expect(Runner.nextTimer(d.pm, try #require(d.snapshot)) == t0 + 5 * day)
        try d.apply(.tick, after: 7 * day - hour)
        #expect(d.kinds == [.nodeBlocked, .escalation, .idleWarning, .notify])
        #expect(d.effects[2].people == ["alice", "mia"] && d.effects[2].at == t0 + 7 * day)
        #expect(d.effects[3].trigger == "on_idle_warning")
        #expect(d.snapshot?.idleWarned == true && d.snapshot?.owner == "alice")
        #expect(Runner.nextTimer(d.pm, try #require(d.snapshot)) == t0 + 10 * day)
        try d.apply(.tick, after: 3 * day)
        #expect(d.kinds == [.returnedToPool, .notify])
        let s = try #require(d.snapshot)
        #expect(s.pool == .public && s.owner == nil && s.previousOwner == "alice" && s.releasedAt == t0 + 10 * day)
        #expect(s.status == .open && d.active == ["talks"])
        #expect(Runner.nextTimer(d.pm, s) == nil)
        let lines = Runner.explain(d.m, s)
        #expect(lines.contains("no status change since 2024-05-06T01:00:00Z: returned to the public pool at 2024-05-16T01:00:00Z"))
    }

    @Test func fieldEditDoesNotResetIdleTimer() throws {
        var d = try Mini.deal()
        try d.apply(.setFields([FieldAssignment("quote", money(10))]), after: 6 * day)
        try d.apply(.tickDeliverable(node: "talks", deliverable: "visit_record", done: true), after: hour)
        #expect(d.snapshot?.lastStatusChangeAt == t0)
        try d.apply(.tick, after: day)
        #expect(d.kinds.contains(.idleWarning))
    }

    @Test func statusChangeResetsIdleTimer() throws {
        var d = try Mini.deal()
        try d.apply(.setFields([FieldAssignment("quote", money(10))]), after: 4 * day)
        try d.finish("talks")
        #expect(d.snapshot?.lastStatusChangeAt == t0 + 4 * day)
        try d.apply(.tick, after: 4 * day)
        #expect(!d.kinds.contains(.idleWarning))
        #expect(Runner.nextTimer(d.pm, try #require(d.snapshot)) == t0 + 11 * day)
    }

    /// A deal on its lose path is not idle: left at its loss review, it is not returned to the
    /// public pool open (where a claimant would inherit someone else's loss review); it goes there
    /// as lost when the review is done.
    @Test func aDealAtItsLossReviewIsNotReturnedAsIdle() throws {
        var d = try Mini.deal()
        try d.apply(.lose(reason: "price"), by: "alice", after: day)
        #expect(d.active == ["loss_review"])
        let losing = try #require(d.snapshot)
        #expect(d.pm.isLosing(losing))
        // Only the loss review's own due date and escalation are pending, no idle timer.
        #expect(Runner.nextTimer(d.pm, losing) == losing.nodes.filter { $0.status == .active }.compactMap(\.dueAt).min())
        try d.apply(.tick, after: 60 * day)
        #expect(!d.kinds.contains(.returnedToPool) && !d.kinds.contains(.idleWarning))
        #expect(d.snapshot?.pool == .private && d.snapshot?.owner == "alice")
        try d.apply(.setFields([FieldAssignment("notes", .text("too expensive"))]), by: "alice", after: hour)
        try d.apply(.complete(node: "loss_review", outcome: nil), by: "alice", after: hour)
        #expect(d.snapshot?.status == .lost && d.snapshot?.pool == .public)
    }

    @Test func warningIsDroppedWhenTheReturnIsDueToo() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 11 * day)
        #expect(!d.kinds.contains(.idleWarning))
        #expect(d.kinds.contains(.returnedToPool))
    }

    @Test func timersFireBeforeTheEvent() throws {
        var d = try Mini.deal()
        try d.apply(.setFields([FieldAssignment("quote", money(10))]), after: 11 * day)
        #expect(d.kinds.first == .nodeBlocked)
        #expect(d.kinds.contains(.returnedToPool))
        #expect(d.snapshot?.pool == .public && d.field("quote") == money(10))
        // The event sees the deal after its timers: by +11d it is in the public pool, so the
        // owner's release is refused, and a refused event keeps its timers unfired too.
        var e = try Mini.deal()
        #expect(code(e.refuse(.release, by: "alice", after: 11 * day)) == "FC1155")
        #expect(e.snapshot?.pool == .private)
    }

    /// An event the idle return (fired in the same step) leaves with nothing to work on says
    /// why: the store still shows the deal with its owner, since a refused event writes nothing.
    @Test func aRefusalAfterTheIdleReturnSaysWhenTheDealWentBack() throws {
        var d = try Mini.deal()
        let refusal = d.refuse(.complete(node: "talks", outcome: nil), by: "alice", after: 11 * day)
        #expect(refusal?.code == "FC1159")
        #expect(refusal?.message == "the deal is in the public pool (its idle time ran out: it went back there at 2024-05-16T01:00:00Z, before this event, from `alice`): claim it (or have a manager assign it) before `complete`")
        // A deal released before the event gets the plain message.
        var released = try Mini.deal()
        try released.apply(.release, by: "alice", after: hour)
        #expect(released.refuse(.complete(node: "talks", outcome: nil), by: "alice", after: hour)?.message
            == "the deal is in the public pool: claim it (or have a manager assign it) before `complete`")
    }

    @Test func dueDateBlocksNodeThenEscalates() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 5 * day)
        #expect(d.kinds == [.nodeBlocked])
        #expect(d.node("talks")?.status == .blocked && d.node("talks")?.blockedAt == t0 + 5 * day)
        #expect(d.effects[0].node == "talks" && d.effects[0].people == ["alice"])
        // `why` and `show` date a blocked node from its blocking, not from its activation.
        #expect(Runner.explain(d.m, try #require(d.snapshot)).contains(
            "node `talks` is blocked since 2024-05-11T01:00:00Z, due 2024-05-11T01:00:00Z (active since 2024-05-06T01:00:00Z)"))
        #expect(d.active == ["talks"])
        #expect(Runner.nextTimer(d.pm, try #require(d.snapshot)) == t0 + 6 * day)
        try d.apply(.tick, after: day)
        #expect(d.kinds == [.escalation])
        #expect(d.effects[0].people == ["mia"] && d.effects[0].detail == "sales_manager")
        #expect(d.node("talks")?.escalatedAt == t0 + 6 * day)
        // Blocking is not a status change; a blocked node can still be completed.
        #expect(d.snapshot?.lastStatusChangeAt == t0)
        try d.apply(.setFields([FieldAssignment("quote", money(10))]))
        try d.finish("talks")
        #expect(d.active == ["review"])
        #expect(d.node("talks")?.status == .done)
    }

    /// `escalate` without `after` escalates at the breach (language.md §9): the compiler writes
    /// `after` as 0, and the IR loader refused its own output (FC1006 "a duration cannot be
    /// zero"), so no deal could be created on such a template.
    @Test func anEscalationWithoutAfterFiresAtTheBreach() throws {
        var d = Deal(try machine(path: "testdata/check/ok/escalate-at-the-breach.flow.yaml"))
        try d.apply(.create(dealID: "deal-1", owner: "alice", fields: [FieldAssignment("customer_name", .text("星辰科技"))],
                            members: [RoleAssignment("sales_manager", "mia")]), by: "alice")
        #expect(Runner.nextTimer(d.pm, try #require(d.snapshot)) == t0 + 2 * day)
        try d.apply(.tick, after: 2 * day)
        #expect(d.kinds == [.nodeBlocked, .escalation])
        #expect(d.effects[1].people == ["mia"])
        #expect(d.node("talks")?.blockedAt == t0 + 2 * day && d.node("talks")?.escalatedAt == t0 + 2 * day)
    }

    @Test func reworkGivesAFreshDueDate() throws {
        var d = try Mini.atFork()
        // Within the 10-day idle timer (an idle deal is in the public pool, where nobody works it).
        try d.apply(.rework(node: "legal_review", target: "talks", reason: "scope"), after: 9 * day)
        #expect(d.node("talks")?.dueAt == d.time + 5 * day && d.node("talks")?.blockedAt == nil)
    }

    @Test func timersFireInOrderAtTheirOwnTime() throws {
        var d = try Mini.deal()
        try d.apply(.tick, after: 30 * day)
        #expect(d.effects.map(\.at) == d.effects.map(\.at).sorted())
        #expect(d.effects.first?.at == t0 + 5 * day)
        let timers = d.snapshot?.decisions.filter { [.blocked, .escalated, .idleReturn].contains($0.kind) }.map(\.at)
        #expect(timers == [t0 + 5 * day, t0 + 6 * day, t0 + 10 * day])
    }

    @Test func closedDealsHaveNoTimers() throws {
        let d = try Mini.lostToPool()
        #expect(Runner.pendingTimers(d.pm, try #require(d.snapshot)).isEmpty)
    }

    @Test func publicPoolDealsHaveNoIdleTimer() throws {
        let d = try Mini.deal(owner: nil)
        let timers = Runner.pendingTimers(d.pm, try #require(d.snapshot))
        #expect(timers.map(\.kind) == [.due])
    }
}

/// A computed field that reads the clock is current at every event, so tailoring and branches
/// read today's value. (It was recomputed only when a field it reads changed: a days-left field
/// kept the value of the creation, and a node meant for the last two weeks was skipped.)
@Suite struct ClockComputedFieldTests {
    static let template = """
        flowc: 1
        template: {id: days_left, version: 1.0.0, name: {en: Days left}}
        roles: {so: {name: {en: Owner}, owner: true}, helper: {name: {en: Helper}}}
        fields:
          customer_name: {type: text, required: true, name: {en: Customer}}
          close: {type: date, name: {en: Close}}
          left: {type: integer, compute: "days(close - today())", name: {en: Left}}
          urgent_soon: {type: boolean, compute: "left < 14", name: {en: Urgent soon}}
        nodes:
          - {id: a, name: {en: A}, owner: so, next: urgent}
          - {id: urgent, name: {en: Urgent}, owner: so, when: "left < 14", next: z}
          - {id: z, name: {en: Z}, owner: so, next: won}
          - {id: won, name: {en: Won}, kind: won}
        """

    func created() throws -> Deal {
        var d = Deal(try machine(yaml: Self.template))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [
            FieldAssignment("customer_name", .text("ACME")), FieldAssignment("close", .date(days: 19_880))  // 2024-06-06,
        ], members: []))
        return d
    }

    @Test func tailoringReadsTheValueOfTheEventsDay() throws {
        var d = try created()  // 2024-05-06: 31 days left
        #expect(d.field("left") == .integer(31))
        #expect(d.node("urgent")?.inPlan == false)
        try d.apply(.complete(node: "a", outcome: nil), after: 24 * day)  // 2024-05-30: 7 days left
        #expect(d.field("left") == .integer(7))
        #expect(d.field("urgent_soon") == .boolean(true))
        #expect(d.active == ["urgent"])
        let snapshot = try #require(d.snapshot)
        #expect(try d.replayed().get().snapshot == snapshot)
    }

    @Test func anEventThatChangesNoNodeMakesThemCurrentToo() throws {
        var d = try created()
        try d.apply(.tick, after: 20 * day)
        #expect(d.field("left") == .integer(11))
        #expect(d.node("urgent")?.inPlan == true)
        try d.apply(.addRoleMember(role: "helper", person: "bob"), after: day)
        #expect(d.field("left") == .integer(10))
    }
}
