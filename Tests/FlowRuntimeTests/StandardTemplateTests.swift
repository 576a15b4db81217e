import FlowExpr
import FlowIR
import FlowRuntime
import Testing

/// The bundled standard template end to end: won, lost and idle paths, tailoring, fork, rework.
@Suite struct StandardTemplateTests {
    /// Completes quotation, review and both contract reviews.
    static func toSigning(quote: Int64 = 280_000, cost: Int64 = 200_000) throws -> Deal {
        var d = try Standard.atQuotation()
        try d.apply(.setFields(Standard.quotation(quote: quote, cost: cost)), after: hour)
        try d.finish("proposal_quotation", after: hour)
        try d.apply(.complete(node: "negotiation_review", outcome: "approve"), by: "mia", after: day)
        try d.finish("legal_review", by: "lee", after: day)
        try d.finish("finance_review", by: "fay", after: day)
        return d
    }

    @Test func wonPathRunsEveryStageToWon() throws {
        var d = try Standard.atQuotation()
        #expect(d.active == ["proposal_quotation"])
        try d.apply(.setFields(Standard.quotation(quote: 280_000, cost: 200_000)), after: hour)
        let quoted = try d.finish("proposal_quotation", after: hour)
        #expect(quoted.map(\.kind) == [.botCard])
        #expect(quoted[0].fields.map(\.field) == ["quote", "cost", "margin", "discount_rate", "payment_terms"])
        #expect(quoted[0].fields[2].text == "80000 CNY")
        #expect(d.active == ["negotiation_review"])
        #expect(d.node("internal_audit")?.status == .skipped)
        try d.apply(.complete(node: "negotiation_review", outcome: "approve"), by: "mia", after: day)
        #expect(d.active == ["legal_review", "finance_review"])
        try d.finish("legal_review", after: day)
        #expect(d.active == ["finance_review"])
        #expect(d.node("contract_review_done")?.status == .waiting)
        try d.finish("finance_review", after: day)
        #expect(d.active == ["contract_signing"])
        try d.apply(.setFields([FieldAssignment("contract_no", .text("HT-2024-001")), FieldAssignment("contract_signed_on", .date(days: 19_850))]))
        let signed = try d.finish("contract_signing", after: day)
        #expect(signed.map(\.kind) == [.notify, .requirement])
        #expect(signed[0].text["zh"] == "合同 HT-2024-001 已签署，进入订单回款。")
        #expect(signed[0].people == ["alice", "carl", "fay"])
        #expect(signed[1].team == "operations")
        #expect(d.active == ["order_payment"])
        try d.apply(.setFields([FieldAssignment("amount_received", money(280_000)), FieldAssignment("payment_received_on", .date(days: 19_860))]))
        for deliverable in ["invoice_issued", "payment_receipt"] {
            try d.apply(.tickDeliverable(node: "order_payment", deliverable: deliverable, done: true))
        }
        try d.apply(.win(node: nil), after: day)
        let s = try #require(d.snapshot)
        #expect(s.status == .won && s.probability == 100 && s.pool == .private)
        #expect(d.kinds == [.notify, .webhook])
        #expect(d.effects[0].text["en"] == "Won: 星辰科技（北京）有限公司, contract HT-2024-001, payment received.")
        #expect(Runner.nextTimer(d.pm, s) == nil)
        if case .success(let replay) = d.replayed() {
            #expect(replay.snapshot == s && replay.effects == d.allEffects)
        } else {
            Issue.record("the log does not replay")
        }
    }

    @Test func lostPathGoesThroughLossReviewToPublicPool() throws {
        var d = try Standard.atQuotation()
        try d.apply(.lose(reason: "competitor"), by: "alice", after: day)
        #expect(d.active == ["loss_review"])
        #expect(d.node("proposal_quotation")?.status == .closed)
        #expect(d.kinds == [.botCard, .notify])
        #expect(d.effects[0].text == ["": "输单: 星辰科技（北京）有限公司"])
        #expect(d.snapshot?.probability == 0)
        try d.apply(.setFields([FieldAssignment("loss_analysis", .text("price war"))]))
        try d.finish("loss_review", after: day)
        let s = try #require(d.snapshot)
        #expect(s.status == .lost && s.pool == .public && s.owner == nil && s.previousOwner == "alice")
        #expect(d.kinds == [.notify, .returnedToPool, .notify])
        // A colleague claims it: it reopens at the start node for them.
        try d.apply(.claim, by: "bob", after: day, owned: 3)
        #expect(d.active == ["initial_talks"] && d.snapshot?.owner == "bob")
        #expect(d.effects.last?.text["en"] == "You now own 星辰科技（北京）有限公司.")
    }

    @Test func idlePathWarnsThenReturnsToPublicPool() throws {
        var d = try Standard.atQuotation()
        let since = try #require(d.snapshot?.lastStatusChangeAt)
        #expect(Runner.nextTimer(d.pm, try #require(d.snapshot)) == since + 10 * day)
        try d.apply(.setFields(Standard.quotation(quote: 280_000, cost: 200_000)), after: 20 * day)
        #expect(d.kinds == [.nodeBlocked, .escalation])
        try d.apply(.tick, after: 5 * day)
        #expect(d.kinds == [.idleWarning, .notify])
        // The manager gets the warning, the owner the message: each once.
        #expect(d.effects[0].people == ["mia"])
        #expect(d.effects[1].people == ["alice"])
        #expect(d.effects[1].text["en"]?.hasSuffix("will soon return to the public pool.") == true)
        try d.apply(.tick, after: 5 * day)
        #expect(d.kinds == [.returnedToPool, .notify])
        #expect(d.snapshot?.pool == .public && d.snapshot?.owner == nil)
        #expect(d.active == ["proposal_quotation"])
    }

    @Test func quoteBelowCostBringsInAuditBeforeReview() throws {
        var d = try Standard.atQuotation()
        try d.apply(.setFields(Standard.quotation(quote: 180_000, cost: 200_000)), after: hour)
        try d.finish("proposal_quotation", after: hour)
        #expect(d.active == ["internal_audit"])
        #expect(d.kinds == [.botCard, .botCard, .notify])
        #expect(d.effects[1].node == "internal_audit" && d.effects[1].fields[2].text == "-20000 CNY")
        #expect(code(d.refuse(.complete(node: "internal_audit", outcome: nil))) == "FC1115")
        try d.apply(.setFields([FieldAssignment("audit_opinion", .text("strategic price, approved"))]))
        try d.finish("internal_audit", by: "ada", after: day)
        #expect(d.active == ["negotiation_review"])
        let why = Runner.explain(d.m, try #require(d.snapshot))
        #expect(why.contains("`internal_audit` was entered: `quote < cost` was true (reads quote = 180000 CNY, cost = 200000 CNY)"))
    }

    @Test func auditDisappearsWhenQuoteRisesBeforeReachingIt() throws {
        var d = try Standard.deal()
        let audit = "internal_audit"
        #expect(d.node(audit)?.inPlan == false)
        try d.apply(.setFields([FieldAssignment("quote", money(90)), FieldAssignment("cost", money(100))]), after: hour)
        #expect(d.node(audit)?.inPlan == true && d.node(audit)?.status == .pending)
        try d.apply(.setFields([FieldAssignment("quote", money(120))]), after: hour)
        #expect(d.node(audit)?.inPlan == false)
        let moves = try #require(d.snapshot?.decisions.filter { $0.kind == .projection && $0.node == d.m.nodes.firstIndex { $0.id == audit } })
        #expect(moves.map(\.result) == [.boolean(false), .boolean(true), .boolean(false)])
        // Reaching it with the quote above cost: skipped.
        d = try Standard.atQuotation()
        try d.apply(.setFields(Standard.quotation(quote: 90, cost: 100)))
        #expect(d.node(audit)?.inPlan == true)
        try d.apply(.setFields([FieldAssignment("quote", money(120))]))
        try d.finish("proposal_quotation")
        #expect(d.node(audit)?.status == .skipped && d.active == ["negotiation_review"])
    }

    /// A field edit puts back in the plan a node that only a pending `when` may hold out of it,
    /// even when the snapshot (edited by hand) says otherwise, in place as in the value form.
    @Test func fieldEditRestoresThePlanOfAHandEditedSnapshot() throws {
        let d = try Standard.deal()
        var edited = try #require(d.snapshot)
        let first = try #require(edited.openNodes.first)
        edited.nodes[first].inPlan = false
        let e = DealEvent(id: "edit", at: d.time + hour, actor: nil, .setFields([FieldAssignment("decision_maker", .text("Wu"))]))
        let context = StepContext(now: e.at)
        let outcome = try Runner.step(d.pm, edited, e, context: context).get()
        var inPlace = edited
        _ = try Runner.step(d.pm, &inPlace, e, context: context).get()
        #expect(outcome.snapshot.nodes[first].inPlan)
        #expect(inPlace == outcome.snapshot)
        #expect(edited.nodes[first].inPlan == false)
    }

    @Test func auditAlreadyPassedIsNotBroughtBack() throws {
        var d = try Standard.atQuotation()
        try d.apply(.setFields(Standard.quotation(quote: 280_000, cost: 200_000)))
        try d.finish("proposal_quotation")
        try d.apply(.setFields([FieldAssignment("quote", money(150_000))]), after: hour)
        #expect(d.active == ["negotiation_review"] && d.node("internal_audit")?.status == .skipped)
        // Rejected back to quotation, the deal reaches the audit's position again: now it appears.
        try d.apply(.complete(node: "negotiation_review", outcome: "reject"), by: "mia", after: hour)
        #expect(d.active == ["proposal_quotation"])
        try d.finish("proposal_quotation", after: hour)
        #expect(d.active == ["internal_audit"])
    }

    @Test func largeDealsGoThroughSolutionReview() throws {
        var d = try Standard.deal()
        try d.apply(.setFields(Standard.talks))
        try d.finish("initial_talks")
        var fields = Standard.negotiation
        fields[2] = FieldAssignment("amount", money(1_500_000))
        try d.apply(.setFields(fields))
        try d.finish("requirement_negotiation")
        #expect(d.active == ["solution_review"])
        let branch = try #require(d.snapshot?.decisions.last { $0.kind == .branch })
        #expect(branch.target == d.m.nodes.firstIndex { $0.id == "solution_review" })
    }

    @Test func groupChatFollowsRolesAndIsCreatedOnce() throws {
        var d = try Standard.deal()
        try d.apply(.setFields(Standard.talks))
        let entered = try d.finish("initial_talks")
        #expect(entered.map(\.kind) == [.requirement, .botCard, .groupChatCreate, .notify])
        #expect(entered[2].people == ["alice", "pete", "lee", "fay", "mia"])
        #expect(entered[3].people == ["alice", "carl"])
        try d.apply(.addRoleMember(role: "technical", person: "tom"), after: hour)
        // Tom joins the chat, then gets the template's catch-up card (`on_role_added`, to `added`),
        // and the owner is told.
        #expect(d.kinds == [.groupChatAddMember, .botCard, .notify])
        #expect(d.effects[1].people == ["tom"] && d.effects[2].people == ["alice"])
        // Rework back into requirement negotiation: the requirement and card again, no second chat.
        try d.apply(.setFields(Standard.negotiation))
        try d.finish("requirement_negotiation")
        try d.apply(.rework(node: "proposal_quotation", target: "requirement_negotiation", reason: "budget changed"), after: hour)
        #expect(d.kinds == [.requirement, .botCard, .notify])
        #expect(d.snapshot?.groupChats.count == 1)
    }

    @Test func reworkFromSigningReopensQuotation() throws {
        var d = try Self.toSigning()
        #expect(d.active == ["contract_signing"])
        try d.apply(.rework(node: "contract_signing", target: "proposal_quotation", reason: "customer asked for a lower price"), after: day)
        #expect(d.active == ["proposal_quotation"])
        for node in ["internal_audit", "negotiation_review", "contract_review", "legal_review", "finance_review", "contract_review_done", "contract_signing"] {
            #expect(d.node(node)?.status == .pending, "\(node)")
        }
        #expect(d.node("proposal_quotation")?.deliverables == [false, false])
        #expect(d.node("requirement_negotiation")?.status == .done)
        #expect(d.field("quote") == money(280_000))
        #expect(Runner.explain(d.m, try #require(d.snapshot)).contains("`contract_signing` sent the deal back to `proposal_quotation`: customer asked for a lower price"))
    }

    @Test func everyBundledTemplateCreatesADeal() throws {
        for path in ["templates/standard-sale.flow.yaml", "templates/standard-sale-smb.flow.yaml", "templates/key-account-tender.flow.yaml",
                     "templates/renewal-upsell.flow.yaml", "templates/channel-partner.flow.yaml"] {
            let pm = try machine(path: path)
            let required = pm.machine.fields.indices.filter {
                pm.machine.fields[$0].required && pm.machine.fields[$0].compute == nil && pm.machine.fields[$0].defaultValue == nil
            }
            var d = Deal(pm)
            let fields = required.map { FieldAssignment(pm.machine.fields[$0].id, sample(pm.verified.fieldTypes[$0])) }
            try d.apply(.create(dealID: "d", owner: "o", fields: fields, members: []))
            #expect(d.active == [pm.machine.nodes[pm.machine.start].id], "\(path)")
        }
    }
}

/// A value of each type, for required fields.
func sample(_ type: ExprType) -> ExprValue {
    switch type {
    case .text: .text("x")
    case .integer: .integer(1)
    case .decimal: .decimal(ExprDecimal(1))
    case .money(let currency): .money(amount: ExprDecimal(1), currency: currency)
    case .boolean: .boolean(true)
    case .date: .date(days: 19_800)
    case .datetime: .datetime(seconds: t0)
    case .duration: .duration(seconds: 60)
    case .enumeration(let values): .enumValue(values.first ?? "")
    case .list(let element): .list([sample(element)])
    case .null: .null
    }
}
