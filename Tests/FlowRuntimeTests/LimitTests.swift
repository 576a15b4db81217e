import FlowExpr
import FlowIR
import FlowRuntime
import Testing

/// Every bound the runner puts on what input controls (STYLE: "each limit has a test").
@Suite struct LimitTests {
    /// A loop that rests on no node: a fork whose branches are tailored out, and a join that
    /// goes back to the fork until `n > 5` (runner rules 4: the fork, gone back to, is entered
    /// again as chosen; its branches are tailored again).
    static let skipLoop = """
    flowc: 1
    template: {id: skip_loop, version: 1.0.0, name: Skip loop}
    fields:
      flag: {type: boolean, default: false}
      n: {type: integer}
    roles:
      sales_owner: {name: Owner, owner: true}
    nodes:
      - {id: start, name: Start, owner: sales_owner, next: f}
      - {id: f, name: F, kind: fork, branches: [x, y], join: j}
      - {id: x, name: X, owner: sales_owner, when: "flag", next: j}
      - {id: y, name: Y, owner: sales_owner, when: "flag", next: j}
      - id: j
        name: J
        kind: join
        next:
          - {if: "n > 5", to: won}
          - {default: f}
      - {id: won, name: Won, kind: won}
      - {id: lost, name: Lost, kind: lost}
    lose: {via: lost}
    """

    /// A loop of skipped tasks: going back to the tailored-out `x` evaluates its `when` again.
    static let skipLoopOfTasks = """
    flowc: 1
    template: {id: skip_loop, version: 1.0.0, name: Skip loop}
    fields:
      flag: {type: boolean, default: false}
      n: {type: integer}
    roles:
      sales_owner: {name: Owner, owner: true}
    nodes:
      - {id: start, name: Start, owner: sales_owner, next: x}
      - {id: x, name: X, owner: sales_owner, when: "flag", next: y}
      - id: y
        name: Y
        owner: sales_owner
        when: "flag"
        next:
          - {if: "n > 5", to: won}
          - {default: x}
      - {id: won, name: Won, kind: won}
      - {id: lost, name: Lost, kind: lost}
    lose: {via: lost}
    """

    @Test func eventlessStepBudgetStopsALoopOfSkippedNodes() throws {
        var d = Deal(try machine(yaml: Self.skipLoop))
        try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []))
        let r = d.refuse(.complete(node: "start", outcome: nil))
        #expect(code(r) == "FC1160")
        #expect(r?.message.hasPrefix("the event needed more than 1000 automatic steps") == true)
        #expect(d.active == ["start"])
        // With the loop's exit open, the same event goes through.
        try d.apply(.setFields([FieldAssignment("n", .integer(6))]))
        try d.apply(.complete(node: "start", outcome: nil))
        #expect(d.snapshot?.status == .won)
    }

    /// A loop of tailored-out tasks is stopped by the budget under rules 3 (a log written then
    /// replays so) and under 4 (going back to `x`, which the deal was only taken past, arrives
    /// there afresh: its `when` is evaluated, and it is skipped again).
    @Test(arguments: [3, 4])
    func aLoopOfTailoredOutTasksIsStoppedByTheBudget(_ rules: Int) throws {
        let pm = try machine(yaml: Self.skipLoopOfTasks)
        var d = Deal(pm)
        try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []))
        let complete = DealEvent(id: "c", at: t0, .complete(node: "start", outcome: nil))
        #expect(Runner.step(pm, d.snapshot, complete, context: StepContext(now: t0, rules: rules)).failure?.code == "FC1160")
    }

    @Test func eventlessStepBudgetIsConfigurable() throws {
        var d = try Mini.deal()
        try d.apply(.setFields([FieldAssignment("quote", money(100)), FieldAssignment("cost", money(50))]))
        try d.apply(.tickDeliverable(node: "talks", deliverable: "visit_record", done: true))
        try d.apply(.complete(node: "talks", outcome: nil))
        // Approving enters the fork and both branches: three automatic steps. (The budget that
        // grows with the flow is turned off: `theBudgetGrowsWithTheFlow`.)
        d.limits.eventlessStepsPerNode = 0
        d.limits.maxEventlessSteps = 2
        #expect(code(d.refuse(.complete(node: "review", outcome: "approve"))) == "FC1160")
        d.limits.maxEventlessSteps = 3
        try d.apply(.complete(node: "review", outcome: "approve"))
        #expect(d.active == ["legal_review", "finance_review"])
    }

    @Test func theBudgetGrowsWithTheFlow() throws {
        #expect(RunnerLimits.default.eventlessStepBudget(nodes: 10) == 1_000)
        #expect(RunnerLimits.default.eventlessStepBudget(nodes: 2_001) == 8_004)
        #expect(RunnerLimits(eventlessStepsPerNode: .max).eventlessStepBudget(nodes: 3) == .max)
        var d = try Mini.deal()
        try d.apply(.setFields([FieldAssignment("quote", money(100)), FieldAssignment("cost", money(50))]))
        try d.apply(.tickDeliverable(node: "talks", deliverable: "visit_record", done: true))
        try d.apply(.complete(node: "talks", outcome: nil))
        // Two steps, or one per node: the flow's nodes are more than the three the fork takes.
        d.limits.maxEventlessSteps = 2
        d.limits.eventlessStepsPerNode = 1
        #expect(d.m.nodes.count >= 3)
        try d.apply(.complete(node: "review", outcome: "approve"))
        #expect(d.active == ["legal_review", "finance_review"])
    }

    /// A fork of 1,500 branches: more arrivals than the fixed 1,000 steps, well under 4 per node.
    static func wideFork(_ branches: Int) -> String {
        var yaml = """
        flowc: 1
        template: {id: wide_fork, version: 1.0.0, name: Wide fork}
        roles:
          sales_owner: {name: Owner, owner: true}
        nodes:
          - {id: start, name: Start, owner: sales_owner, next: f}
          - {id: f, name: F, kind: fork, branches: [\((0..<branches).map { "b\($0)" }.joined(separator: ", "))], join: j}

        """
        for b in 0..<branches { yaml += "  - {id: b\(b), name: B\(b), owner: sales_owner, next: j}\n" }
        yaml += """
          - {id: j, name: J, kind: join, next: won}
          - {id: won, name: Won, kind: won}
          - {id: lost, name: Lost, kind: lost}
        lose: {via: lost}

        """
        return yaml
    }

    @Test func aForkWiderThanTheFixedBudgetRuns() throws {
        var d = Deal(try machine(yaml: Self.wideFork(1_500)))
        try d.apply(.create(dealID: "d", owner: "o", fields: [], members: []))
        try d.apply(.complete(node: "start", outcome: nil))
        #expect(d.active.count == 1_500)
        try d.apply(.complete(node: "b0", outcome: nil))
        #expect(d.active.count == 1_499)
    }

    @Test func timersCountAgainstTheBudget() throws {
        var d = try Mini.deal()
        d.limits.eventlessStepsPerNode = 0
        d.limits.maxEventlessSteps = 2
        // Blocked, escalated and returned to the pool: three timers in one tick.
        #expect(code(d.refuse(.tick, after: 30 * day)) == "FC1160")
    }

    @Test func fuelExhaustionCountsAsFalseAndIsRecorded() throws {
        var d = try Mini.deal()
        d.limits.fuel = 1
        try d.apply(.setFields([FieldAssignment("quote", money(80)), FieldAssignment("cost", money(100))]))
        try d.finish("talks")
        // `quote < cost` ran out of fuel: the default branch was taken.
        #expect(d.active == ["review"])
        let failed = try #require(d.snapshot?.decisions.last { $0.kind == .evaluationFailed })
        #expect(failed.detail?.hasPrefix("FC0432") == true)
        #expect(Runner.explain(d.m, try #require(d.snapshot)).contains { $0.hasPrefix("evaluating `quote < cost` failed (FC0432") })
    }

    @Test func valueSizesAreBounded() throws {
        var d = try Mini.deal()
        d.limits.maxTextBytes = 8
        d.limits.maxListElements = 1
        #expect(code(d.refuse(.setFields([FieldAssignment("notes", .text("123456789"))]))) == "FC1161")
        #expect(d.refuse(.setFields([FieldAssignment("notes", .text("123456789"))]))?.message
                == "the value of field `notes` (9 bytes) exceeds the limit of 8 bytes")
        #expect(code(d.refuse(.setFields([FieldAssignment("modules", .list([.enumValue("crm"), .enumValue("bi")]))]))) == "FC1161")
        try d.apply(.setFields([FieldAssignment("notes", .text("12345678")), FieldAssignment("modules", .list([.enumValue("crm")]))]))
        #expect(code(d.refuse(.rework(node: "talks", target: "talks", reason: "123456789"))) == "FC1130")
    }

    @Test func eventSizesAreBounded() throws {
        var d = try Mini.deal()
        d.limits.maxFieldsPerEvent = 1
        d.limits.maxMembersPerRole = 2
        d.limits.maxIDLength = 8
        #expect(code(d.refuse(.setFields([FieldAssignment("notes", .text("a")), FieldAssignment("tax_id", .text("b"))]))) == "FC1161")
        try d.apply(.addRoleMember(role: "legal", person: "lou"))
        #expect(code(d.refuse(.addRoleMember(role: "legal", person: "liz"))) == "FC1161")
        #expect(code(d.refuse(.addRoleMember(role: "presales", person: "123456789"))) == "FC1108")
    }

    @Test func joiningAChatIsBounded() throws {
        var d = try Mini.deal()
        let members = try #require(d.snapshot?.groupChats.first?.members.count)
        d.limits.maxMembersPerChat = members + 1
        try d.apply(.joinChat(person: "zoe", chat: nil))
        let full = d.refuse(.joinChat(person: "yan", chat: nil))
        #expect(code(full) == "FC1161")
        #expect(full?.message.hasPrefix("joining chat `chat-") == true, "\(String(describing: full))")
        #expect(full?.message.hasSuffix("which has \(members + 1) members, exceeds the limit of \(members + 1) members") == true, "\(String(describing: full))")
    }

    @Test func reworkReasonsAreBounded() throws {
        var d = try Mini.atFork()
        d.limits.maxTextBytes = 4
        #expect(code(d.refuse(.rework(node: "legal_review", target: "talks", reason: "too long"))) == "FC1161")
    }

    @Test func decisionLogKeepsTheNewestEntries() throws {
        var d = try Mini.deal()
        d.limits.maxDecisions = 2
        for i in 0..<5 {
            try d.apply(.setFields([FieldAssignment("strategic", .boolean(i % 2 == 0))]))
        }
        try d.apply(.setFields([FieldAssignment("quote", money(50)), FieldAssignment("cost", money(100))]))
        try d.finish("talks")
        let s = try #require(d.snapshot)
        // Five projection changes of the audit, then the branch and the audit's tailoring.
        #expect(s.decisions.count == 2 && s.decisionsDropped == 5)
        #expect(s.decisions.map(\.kind) == [.branch, .tailoring])
    }
}
