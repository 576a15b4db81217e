import FlowExpr
import FlowIR
import FlowRuntime
import Testing

/// What runner rules 4 changed (QA round 5), each beside the rules-3 behaviour that a log
/// written before still replays to (docs/runtime.md §12).
@Suite struct Rules4Tests {
    /// An audit tailored by `quote < cost`, and an approval that may send the deal back to it.
    static let reaudit = """
    flowc: 1
    template: {id: reaudit, version: 1.0.0, name: Re-audit}
    fields:
      customer_name: {type: text, required: true}
      quote: {type: integer}
      cost: {type: integer}
    roles:
      sales_owner: {name: Owner, owner: true}
    nodes:
      - {id: quotation, name: Quotation, owner: sales_owner, next: audit}
      - {id: audit, name: Audit, when: "quote < cost", owner: sales_owner, next: review}
      - id: review
        name: Review
        kind: approval
        owner: sales_owner
        rework: [audit, quotation]
        outcomes: {approve: won, reaudit: audit}
      - {id: won, name: Won, kind: won}
      - {id: lost, name: Lost, kind: lost}
    lose: {via: lost}
    """

    static func atReview(_ rules: Int, quote: Int64, cost: Int64) throws -> Deal {
        var d = Deal(try machine(yaml: reaudit))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [
            FieldAssignment("customer_name", .text("ACME")), FieldAssignment("quote", .integer(quote)), FieldAssignment("cost", .integer(cost)),
        ], members: []), by: "alice", rules: rules)
        return d
    }

    /// runtime.md §5: rework by decision means what a rework event means, and the target
    /// "becomes active as chosen (its `when` is not evaluated)". Under rules 3 the audit, its
    /// condition now false, was skipped, and the deal landed back on the approval.
    @Test(arguments: [3, 4])
    func reworkByDecisionMakesItsTargetActiveAsChosen(_ rules: Int) throws {
        var d = try Self.atReview(rules, quote: 10, cost: 20)
        try d.apply(.complete(node: "quotation", outcome: nil), rules: rules)
        try d.apply(.complete(node: "audit", outcome: nil), rules: rules)
        try d.apply(.setFields([FieldAssignment("quote", .integer(30))]), rules: rules)
        try d.apply(.complete(node: "review", outcome: "reaudit"), rules: rules)
        #expect(d.active == (rules >= 4 ? ["audit"] : ["review"]))
        #expect(d.node("audit")?.status == (rules >= 4 ? .active : .skipped))
        // The same through a rework event, under either rules.
        var e = try Self.atReview(rules, quote: 10, cost: 20)
        try e.apply(.complete(node: "quotation", outcome: nil), rules: rules)
        try e.apply(.complete(node: "audit", outcome: nil), rules: rules)
        try e.apply(.setFields([FieldAssignment("quote", .integer(30))]), rules: rules)
        try e.apply(.rework(node: "review", target: "audit", reason: "re-check"), rules: rules)
        #expect(e.active == ["audit"])
    }

    /// A node the deal was only taken past (tailored out, never entered) is no rework target
    /// when a transition leads to it again: its `when` is evaluated (QA: a loop back through a
    /// skipped node made the node after it active against its `when`, with no decision saying why).
    @Test func aTransitionToANodeOnlyPassedByEvaluatesItsWhen() throws {
        let yaml = """
        flowc: 1
        template: {id: sk, version: 1.0.0, name: Skip chain}
        fields:
          customer_name: {type: text, required: true}
          flag: {type: boolean, default: false}
        roles:
          sales_owner: {name: Owner, owner: true}
        nodes:
          - id: gate
            name: Gate
            kind: approval
            owner: sales_owner
            outcomes: {a: check, b: extra}
          - {id: extra, name: Extra, when: "flag", owner: sales_owner, next: check}
          - {id: check, name: Check, when: "flag", owner: sales_owner, next: signing}
          - id: signing
            name: Signing
            kind: approval
            owner: sales_owner
            rework: [extra]
            outcomes: {ok: won, ex: extra}
          - {id: won, name: Won, kind: won}
          - {id: lost, name: Lost, kind: lost}
        lose: {via: lost}
        """
        var d = Deal(try machine(yaml: yaml))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [FieldAssignment("customer_name", .text("ACME"))], members: []), by: "alice")
        try d.apply(.complete(node: "gate", outcome: "a"), by: "alice")
        #expect(d.active == ["signing"] && d.node("check")?.status == .skipped)
        try d.apply(.complete(node: "signing", outcome: "ex"), by: "alice")
        #expect(d.active == ["signing"])
        #expect(d.node("check")?.status == .skipped)
        let why = Runner.explain(d.m, try #require(d.snapshot))
        #expect(why.contains("`check` was skipped: `flag` was false (reads flag = false)"), "\(why)")
        // A rework event chooses its target: `extra` becomes active whatever its `when`.
        try d.apply(.rework(node: "signing", target: "extra", reason: "r"), by: "alice")
        #expect(d.active == ["extra"])
    }

    /// runtime.md §6: a change of the flow ahead is recorded as a projection decision. A rework
    /// that set the tailored-out audit back to pending, its condition now true, recorded none
    /// under rules 3: `why` still said the audit was out of the flow ahead.
    @Test(arguments: [3, 4])
    func aReworkRecordsTheNodesItBringsBackIntoTheFlowAhead(_ rules: Int) throws {
        var d = try Self.atReview(rules, quote: 30, cost: 20)
        try d.apply(.complete(node: "quotation", outcome: nil), rules: rules)
        #expect(d.node("audit")?.status == .skipped)
        try d.apply(.setFields([FieldAssignment("cost", .integer(50))]), rules: rules)
        try d.apply(.rework(node: "review", target: "quotation", reason: "price"), rules: rules)
        let s = try #require(d.snapshot)
        let audit = try #require(d.m.nodes.firstIndex { $0.id == "audit" })
        #expect(s.nodes[audit].status == .pending && s.nodes[audit].inPlan)
        let last = s.decisions.last { $0.node == audit }
        if rules >= 4 {
            #expect(last?.kind == .projection && last?.result == .boolean(true) && last?.sequence == 4, "\(String(describing: last))")
            #expect(Runner.explain(d.m, s).contains("`audit` comes into the flow ahead: `quote < cost` is now true (reads quote = 30, cost = 50)"),
                    "\(Runner.explain(d.m, s))")
        } else {
            #expect(last?.kind == .tailoring && last?.result == .boolean(false))
        }
    }

    static let ratio = """
    flowc: 1
    template: {id: ratio, version: 1.0.0, name: Ratio}
    fields:
      customer_name: {type: text, required: true}
      amount: {type: money, currency: CNY}
      qty: {type: integer}
      ratio: {type: decimal, compute: "1 / qty"}
    roles:
      sales_owner: {name: Owner, owner: true}
    nodes:
      - id: start
        name: Start
        owner: sales_owner
        next:
          - {if: "amount / qty > 100 CNY", to: big}
          - {default: small}
      - {id: big, name: Big, owner: sales_owner, next: won}
      - {id: small, name: Small, owner: sales_owner, next: won}
      - {id: won, name: Won, kind: won}
      - {id: lost, name: Lost, kind: lost}
    lose: {via: lost}
    """

    /// runtime.md §11: a computed field that fails "becomes unset, and an `evaluation_failed`
    /// decision is recorded" (under rules 3 none was); a failed evaluation says what it read.
    @Test(arguments: [3, 4])
    func aComputedFieldThatFailsIsExplained(_ rules: Int) throws {
        var d = Deal(try machine(yaml: Self.ratio))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [
            FieldAssignment("customer_name", .text("ACME")), FieldAssignment("amount", money(1000)), FieldAssignment("qty", .integer(0)),
        ], members: []), by: "alice", rules: rules)
        #expect(d.field("ratio") == nil)
        try d.apply(.complete(node: "start", outcome: nil), by: "alice", rules: rules)
        #expect(d.active == ["small"])
        let why = Runner.explain(d.m, try #require(d.snapshot))
        let computed = "computing field `ratio` as `1 / qty` failed (FC0430: division by zero; reads qty = 0); the field is unset"
        #expect(why.contains(computed) == (rules >= 4), "\(why)")
        #expect(why.contains("evaluating `amount / qty > 100 CNY` failed (FC0430: division by zero; reads amount = 1000 CNY, qty = 0); it counts as false"),
                "\(why)")
        // Told once, not at every event that computes the field again with the same inputs.
        try d.apply(.setFields([FieldAssignment("customer_name", .text("ACME Ltd"))]), by: "alice", rules: rules)
        let failures = d.snapshot?.decisions.filter { $0.kind == .evaluationFailed && $0.node == nil }.count
        #expect(failures == (rules >= 4 ? 1 : 0))
    }

    /// A `when` that cannot be evaluated counts as false; `why` says so rather than "is null".
    @Test func aProjectionWhoseConditionFailedSaysWhy() throws {
        let yaml = Self.ratio.replacingOccurrences(of: "  - {id: big, name: Big, owner: sales_owner, next: won}",
                                                   with: "  - {id: big, name: Big, owner: sales_owner, when: \"amount / qty > 100 CNY\", next: won}")
        var d = Deal(try machine(yaml: yaml))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [
            FieldAssignment("customer_name", .text("ACME")), FieldAssignment("amount", money(1000)), FieldAssignment("qty", .integer(0)),
        ], members: []), by: "alice")
        let why = Runner.explain(d.m, try #require(d.snapshot))
        #expect(why.contains("`big` is not in the flow ahead from the start: `amount / qty > 100 CNY` is not known, as evaluating it failed (FC0430: division by zero), which counts as false (reads amount = 1000 CNY, qty = 0)"), "\(why)")
    }

    /// A node skipped because its `when` could not be evaluated says so (QA: "was null").
    @Test func aSkipOnAFailedConditionSaysWhy() throws {
        let yaml = """
        flowc: 1
        template: {id: skip, version: 1.0.0, name: Skip}
        fields:
          customer_name: {type: text, required: true}
          amount: {type: money, currency: CNY}
          qty: {type: integer}
        roles:
          sales_owner: {name: Owner, owner: true}
        nodes:
          - {id: start, name: Start, owner: sales_owner, next: big}
          - {id: big, name: Big, owner: sales_owner, when: "amount / qty > 100 CNY", next: small}
          - {id: small, name: Small, owner: sales_owner, next: won}
          - {id: won, name: Won, kind: won}
          - {id: lost, name: Lost, kind: lost}
        lose: {via: lost}
        """
        var d = Deal(try machine(yaml: yaml))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [
            FieldAssignment("customer_name", .text("ACME")), FieldAssignment("amount", money(1000)), FieldAssignment("qty", .integer(0)),
        ], members: []), by: "alice")
        try d.apply(.complete(node: "start", outcome: nil), by: "alice")
        #expect(d.active == ["small"])
        let why = Runner.explain(d.m, try #require(d.snapshot))
        #expect(why.contains("`big` was skipped: `amount / qty > 100 CNY` was not known, as evaluating it failed (FC0430: division by zero), which counts as false (reads amount = 1000 CNY, qty = 0)"), "\(why)")
    }

    /// A loss review that branches on the reason the lose event wrote into a field.
    static let reasons = """
    flowc: 1
    template: {id: reasons, version: 1.0.0, name: Reasons}
    fields:
      customer_name: {type: text, required: true}
      reason: {type: enum, values: [price, other]}
    roles:
      sales_owner: {name: Owner, owner: true}
      sales_manager: {name: Manager, manager: true}
    nodes:
      - id: start
        name: Start
        owner: sales_owner
        next: appr
      - id: appr
        name: Approval
        kind: approval
        owner: sales_manager
        outcomes: {ok: won, drop: loss_review}
      - id: loss_review
        name: Loss review
        owner: sales_owner
        next:
          - {if: "reason == 'price'", to: price_review}
          - {default: lost}
      - {id: price_review, name: Price review, owner: sales_manager, next: lost}
      - {id: won, name: Won, kind: won}
      - {id: lost, name: Lost, kind: lost}
    lose:
      reasons: [price, other]
      via: loss_review
      from: [start, appr]
      reason_field: reason
    pool: {lost_to_public: true}
    """

    /// runtime.md §8: claiming a lost deal reopens it with its "lose reason cleared". The field
    /// `lose.reason_field` names is that reason as the flow sees it: under rules 3 it kept the
    /// last life's reason, and a loss review reached by an approval routed on it.
    @Test(arguments: [3, 4])
    func claimingALostDealClearsTheReasonField(_ rules: Int) throws {
        var d = Deal(try machine(yaml: Self.reasons))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [FieldAssignment("customer_name", .text("ACME"))],
                            members: [RoleAssignment("sales_manager", "mia")]), by: "alice", rules: rules)
        try d.apply(.lose(reason: "price"), by: "alice", rules: rules)
        #expect(d.field("reason") == .enumValue("price"))
        try d.apply(.complete(node: "loss_review", outcome: nil), by: "alice", rules: rules)
        try d.apply(.complete(node: "price_review", outcome: nil), by: "mia", rules: rules)
        #expect(d.snapshot?.status == .lost && d.snapshot?.pool == .public)
        try d.apply(.claim, by: "bob", after: day, rules: rules)
        #expect(d.active == ["start"])
        #expect(d.field("reason") == (rules >= 4 ? nil : .enumValue("price")))
        try d.apply(.complete(node: "start", outcome: nil), by: "bob", rules: rules)
        try d.apply(.complete(node: "appr", outcome: "drop"), by: "mia", rules: rules)
        try d.apply(.complete(node: "loss_review", outcome: nil), by: "bob", rules: rules)
        // No reason this time: the review goes straight to `lost`, not to the price review.
        #expect(d.snapshot?.status == (rules >= 4 ? .lost : .open))
        #expect(d.active == (rules >= 4 ? [] : ["price_review"]))
    }
}
