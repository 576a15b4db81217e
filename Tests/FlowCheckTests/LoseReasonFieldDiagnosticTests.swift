import FlowCheck
import FlowDiagnostics
import Testing

/// `lose.reason_field` (S12) names a field the lose event can write its reason into: FC0321 at
/// the reference when it cannot, with the field's declaration labelled.
@Suite struct LoseReasonFieldDiagnosticTests {
    /// A template whose field `loss_type` (line 5) is `field` and whose `lose` (line 12) is `lose`.
    static func check(field: String, lose: String) -> [Diagnostic] {
        let yaml = """
            flowc: 1
            template: {id: losing, version: 1.0.0, name: Losing}
            fields:
              customer_name: {type: text}
              loss_type: \(field)
            roles:
              sales_owner: {name: Owner, owner: true}
            nodes:
              - {id: start, name: Start, owner: sales_owner, next: won}
              - {id: won, name: Won, kind: won}
              - {id: lost, name: Lost, kind: lost}
            lose: \(lose)

            """
        return TemplateChecker.check(path: "l.flow.yaml", bytes: Array(yaml.utf8), fs: MemoryFileSystem([:])).diagnostics
    }

    static let withReasons = "{reasons: [price, competitor], via: lost, reason_field: loss_type}"

    @Test(arguments: [
        ("{type: enum, values: [price]}", withReasons, "`loss_type` cannot hold the lose reason: the reason `competitor` is not one of its values"),
        ("{type: integer}", withReasons, "`loss_type` cannot hold the lose reason: its type is `integer`; use a text field or an enum field"),
        (#"{type: text, compute: "customer_name"}"#, withReasons, "`loss_type` cannot hold the lose reason: it is computed"),
        ("{type: text}", "{via: lost, reason_field: loss_type}", "`loss_type` cannot hold the lose reason: `lose.reasons` is empty, so no lose event carries a reason"),
    ])
    func aFieldThatCannotHoldTheReasonIsFC0321(_ field: String, _ lose: String, _ message: String) throws {
        let ds = Self.check(field: field, lose: lose)
        #expect(ds.count == 1, "\(ds.map(\.message.text))")
        let d = try #require(ds.first)
        #expect(d.code == DiagnosticCode(321))
        #expect(d.message.text == message)
        #expect(d.location?.line == 12)
        #expect(d.labels.first?.message.text == "`loss_type` is defined here")
    }

    @Test func aTextOrEnumFieldWithEveryReasonIsAccepted() {
        #expect(Self.check(field: "{type: enum, values: [price, competitor, other]}", lose: Self.withReasons).isEmpty)
        #expect(Self.check(field: "{type: text}", lose: Self.withReasons).isEmpty)
        let unknown = Self.check(field: "{type: text}", lose: "{reasons: [price], via: lost, reason_field: loss_typ}")
        #expect(unknown.map(\.code) == [DiagnosticCode(304)])
        #expect(unknown.first?.message.text == "unknown field `loss_typ`")
    }
}
