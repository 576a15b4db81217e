import FlowExpr
import FlowIR
import FlowRuntime
import Testing

/// Rules 7: conditions compare texts by their code points (IR review F6), and a date moved past
/// the year 9999 overflows (F8), beside the rules-6 evaluation that a log written before still
/// replays to (docs/runtime.md §12).
@Suite struct Rules7Tests {
    /// An audit for one customer written `é` as one code point.
    static let template = """
    flowc: 1
    template: {id: accents, version: 1.0.0, name: Accents}
    fields:
      customer_name: {type: text, required: true}
      start: {type: date, default: "2024-05-06"}
      far: {type: date, compute: "start + 999999999w"}
    roles:
      sales_owner: {name: Owner, owner: true}
    nodes:
      - {id: talks, name: Talks, owner: sales_owner, next: audit}
      - {id: audit, name: Audit, when: "customer_name == \\"Café\\"", owner: sales_owner, next: won}
      - {id: won, name: Won, kind: won}
      - {id: lost, name: Lost, kind: lost}
    lose: {via: lost}
    """

    /// A deal whose customer is written `Cafe` + U+0301, past `talks`, under `rules`.
    static func pastTalks(_ rules: Int) throws -> Deal {
        var d = Deal(try machine(yaml: template))
        try d.apply(.create(dealID: "d", owner: "alice", fields: [FieldAssignment("customer_name", .text("Cafe\u{301}"))], members: []),
                    by: "alice", rules: rules)
        try d.apply(.complete(node: "talks", outcome: nil), by: "alice", after: 3_600, rules: rules)
        return d
    }

    /// The value of field `far` of the deal.
    static func far(_ d: Deal) throws -> ExprValue? {
        let slot = try #require(d.m.fields.firstIndex { $0.id == "far" })
        return d.snapshot?.fields[slot]
    }

    @Test func textsAreComparedByCodePointsAndDatesStayInTheYears() throws {
        let d = try Self.pastTalks(7)
        #expect(d.snapshot?.status == .won, "\(d.active)")
        #expect(d.node("audit")?.status == .skipped)
        #expect(try Self.far(d) == nil)
    }

    @Test func aRules6LogStillReplaysAsItRan() throws {
        let d = try Self.pastTalks(6)
        #expect(d.active == ["audit"])
        #expect(try Self.far(d) != nil)
        #expect(try d.replayed().get().snapshot == d.snapshot)
    }
}
