import FlowExpr
import FlowRuntime
import Testing

/// S12: `lose.reason_field` writes the lose reason into a field, and the follow-up branches on it.
@Suite struct LoseReasonFieldTests {
    static let template = """
        flowc: 1
        template: {id: loss_routes, version: 1.0.0, name: {en: Loss routes}}
        roles: {so: {name: {en: Owner}, owner: true}}
        fields:
          customer_name: {type: text, required: true, name: {en: Customer}}
          loss_type: {type: enum, values: [price, competitor, other], name: {en: Loss type}}
          lost_to_competitor: {type: boolean, compute: "loss_type == 'competitor'", name: {en: Lost to a competitor}}
        customer: {identity: [customer_name]}
        lose: {reasons: [price, competitor, other], via: loss_review, reason_field: loss_type}
        nodes:
          - {id: talks, name: {en: Talks}, owner: so, next: won}
          - id: loss_review
            name: {en: Loss review}
            owner: so
            next:
              - if: "loss_type == 'competitor'"
                to: competitor_analysis
              - default: lost
          - {id: competitor_analysis, name: {en: Competitor analysis}, owner: so, next: lost}
          - {id: won, name: {en: Won}, kind: won}
          - {id: lost, name: {en: Lost}, kind: lost}
        """

    func lost(for reason: String) throws -> Deal {
        var d = Deal(try machine(yaml: Self.template))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [FieldAssignment("customer_name", .text("ACME"))], members: []))
        try d.apply(.lose(reason: reason), by: "alice", after: hour)
        return d
    }

    @Test func theReasonIsWrittenAndTheFollowUpBranchesOnIt() throws {
        var competitor = try lost(for: "competitor")
        #expect(competitor.field("loss_type") == .enumValue("competitor"))
        #expect(competitor.field("lost_to_competitor") == .boolean(true))
        try competitor.apply(.complete(node: "loss_review", outcome: nil), by: "alice", after: hour)
        #expect(competitor.active == ["competitor_analysis"])

        var price = try lost(for: "price")
        #expect(price.field("loss_type") == .enumValue("price"))
        try price.apply(.complete(node: "loss_review", outcome: nil), by: "alice", after: hour)
        #expect(price.snapshot?.status == .lost)
        #expect(try price.replayed().get().snapshot == price.snapshot)
    }
}
